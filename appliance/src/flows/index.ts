/**
 * Flows: JSON flow definitions (IVR now, chatbot later), their validation, one
 * interpreter, and the speech ports (espeak-ng TTS, pocketsphinx ASR, or an
 * on-prem engine by URL).
 * @example
 * const flow = validateFlow(json);
 * const outcome = await runFlow(flow, io, { lookups: { orderStatus } });
 */
export { DEFAULT_INBOUND_FLOW } from './default-inbound.ts';
export { FlowsError, type FlowsErrorCode } from './errors.ts';
export { runFlow } from './interpreter.ts';
export { flowRoutes } from './routes.ts';
export { FlowService } from './service.ts';
export {
  type AsrPort,
  buildJsgf,
  EspeakTts,
  HttpSpeech,
  matchIntent,
  PocketsphinxAsr,
  type TtsPort,
  ulaw8kToPcm16k,
} from './speech.ts';
export type * from './types.ts';
export { validateFlow } from './validate.ts';
