/**
 * Voice: SIP signalling (registrar with digest auth, trunk calls as a B2BUA,
 * toll-fraud policy, rate limits and block list), the supervised media worker
 * (RTP legs, DTMF, bridging, prompts, stats), and encrypted per-leg recording.
 * @example
 * const stack = new VoiceStack({ accountsStore, recordingsStore, crypto, bus, logger, dataDir, bind: '127.0.0.1', voice, tts, asr });
 * await stack.listen(config.sipPort, config.bind);
 * await stack.service.connectAgent(callId, agentUserId);
 */
export { VoiceService } from './calls.ts';
export { Dialout, type DialoutPolicy, type DialoutRefusal } from './dialout.ts';
export { VoiceError, type VoiceErrorCode } from './errors.ts';
export { WebRtcError } from './media/errors.ts';
export { type MediaEngineSettings, type OpenMediaEngine, openMediaEngine } from './media/media-engine.ts';
export { MediasoupCall, type PlainLegInfo, type PlainLegOptions } from './media/mediasoup-call.ts';
export { type MediaAlarm, type MediaEngineInfo, MediasoupEngine } from './media/mediasoup-engine.ts';
export { MediaEngineError, type MediaEngineErrorCode } from './media/mediasoup-errors.ts';
export type { SuperviseMode, WebRtcCodec } from './media/protocol.ts';
export { WebRtcSessions, type WebRtcSessionsOptions } from './media/sessions.ts';
export type { WebRtcSessionInfo } from './media/webrtc-types.ts';
export { sipBoundPort, voiceModule } from './module.ts';
export { holdMusicPath } from './moh.ts';
export { type QueueEstimate, type QueuePositionPort, waitAnnouncement } from './queue-wait.ts';
export { RecordingArchiver, type RecordingArchiverOptions } from './recording/archive.ts';
export type { ArchiveState, ArchiveTarget } from './recording/archive-types.ts';
/**
 * Verifies a recording export (tar of WAV + signed manifest) offline, with nothing but Node.
 * @example
 * const v = verifyRecordingExport(await readFile('call-export.tar'), { publicKey });
 * if (!v.ok) console.error(v.problems);
 */
export { type ExportManifest, type ExportVerdict, verifyRecordingExport } from './recording/export-verify.ts';
export { type LegAudio, RecordingService, type StereoRecording } from './recording/service.ts';
export { VoiceStack, type VoiceStackOptions } from './setup.ts';
export { type DigestChallenge, digestAuthorization, pickChallenge } from './sip/digest-client.ts';
export { SipFramer, SipFramingError } from './sip/framing.ts';
export type { SipMessage, SipRequest, SipResponse } from './sip/message.ts';
export { parseSip, SipParseError, serializeSip } from './sip/message.ts';
export type { CallInfo, CallState, VoiceOptions } from './types.ts';
export { webrtcRoutes } from './webrtc-routes.ts';
