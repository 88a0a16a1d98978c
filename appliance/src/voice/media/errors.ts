import { DomainError } from '../../contracts/index.ts';

export type WebRtcErrorCode =
  | 'VOICE_WEBRTC_SESSION_NOT_FOUND'
  | 'VOICE_WEBRTC_CALL_NOT_FOUND'
  | 'VOICE_WEBRTC_CALL_NOT_ANSWERABLE'
  | 'VOICE_WEBRTC_BAD_OFFER'
  | 'VOICE_WEBRTC_RATE_LIMITED'
  | 'VOICE_WEBRTC_NOT_BRIDGED';

const STATUS: Record<WebRtcErrorCode, number> = {
  VOICE_WEBRTC_SESSION_NOT_FOUND: 404,
  VOICE_WEBRTC_CALL_NOT_FOUND: 404,
  VOICE_WEBRTC_CALL_NOT_ANSWERABLE: 409,
  VOICE_WEBRTC_BAD_OFFER: 400,
  VOICE_WEBRTC_RATE_LIMITED: 429,
  VOICE_WEBRTC_NOT_BRIDGED: 409,
};

/** Browser signalling and supervision failures. */
export class WebRtcError extends DomainError<WebRtcErrorCode> {
  override name = 'WebRtcError';
  constructor(code: WebRtcErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: STATUS[code], ...(details ? { details } : {}) });
  }
}
