import { DomainError } from '../contracts/index.ts';

export type VoiceErrorCode =
  | 'VOICE_ACCOUNT_EXISTS'
  | 'VOICE_UNKNOWN_USER'
  | 'VOICE_RECORDING_NOT_FOUND'
  | 'VOICE_CALL_NOT_FOUND'
  | 'VOICE_NOT_YOUR_CALL'
  | 'VOICE_CALL_STATE'
  | 'VOICE_TARGET_UNAVAILABLE'
  | 'VOICE_DIALOUT_REFUSED'
  | 'VOICE_DIALOUT_FAILED'
  | 'VOICE_SOURCE_NOT_BLOCKED'
  | 'VOICE_ACCOUNT_NOT_FOUND'
  | 'VOICE_PHONE_NOT_REGISTERED'
  | 'VOICE_TRUNK_NOT_FOUND'
  | 'VOICE_ACCOUNT_IN_USE'
  | 'VOICE_TRUNK_IN_USE';

const STATUS: Record<VoiceErrorCode, number> = {
  VOICE_ACCOUNT_EXISTS: 409,
  VOICE_UNKNOWN_USER: 400,
  VOICE_RECORDING_NOT_FOUND: 404,
  VOICE_CALL_NOT_FOUND: 404,
  VOICE_NOT_YOUR_CALL: 403,
  VOICE_CALL_STATE: 409,
  VOICE_TARGET_UNAVAILABLE: 409,
  VOICE_DIALOUT_REFUSED: 403,
  VOICE_DIALOUT_FAILED: 502,
  VOICE_SOURCE_NOT_BLOCKED: 404,
  VOICE_ACCOUNT_NOT_FOUND: 404,
  VOICE_PHONE_NOT_REGISTERED: 409,
  VOICE_TRUNK_NOT_FOUND: 404,
  VOICE_ACCOUNT_IN_USE: 409,
  VOICE_TRUNK_IN_USE: 409,
};

export class VoiceError extends DomainError<VoiceErrorCode> {
  override name = 'VoiceError';
  constructor(code: VoiceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: STATUS[code], ...(details ? { details } : {}) });
  }
}
