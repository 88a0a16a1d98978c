/**
 * The console's browser phone.
 * @example
 * <Softphone callId={call.id} onEnded={() => close()} />
 */

export { MIC_CONSTRAINTS, type SignalAnswer, SoftphoneSession, type SoftphoneStats } from './session.ts';
export { Softphone } from './softphone.tsx';
export { SoftphonePanel } from './softphone-panel.tsx';
