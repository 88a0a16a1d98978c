/**
 * The console's browser phone.
 * @example
 * <Softphone callId={call.id} onEnded={() => close()} />
 */
export { Softphone } from './softphone.tsx';
export { SoftphonePanel } from './softphone-panel.tsx';
export { MIC_CONSTRAINTS, SoftphoneSession, type SoftphoneStats } from './session.ts';
