import { DomainError } from '../../contracts/index.ts';

export type MediaEngineErrorCode =
  /** BRANCHLINE_MEDIA_ENGINE=mediasoup but no worker binary (not built, wrong MEDIASOUP_WORKER_BIN). */
  | 'VOICE_MEDIA_WORKER_MISSING'
  /** The worker binary exists but does not start (missing shared library, wrong build). */
  | 'VOICE_MEDIA_WORKER_BROKEN'
  | 'VOICE_MEDIA_ENGINE_CLOSED'
  | 'VOICE_MEDIA_LEG_EXISTS'
  | 'VOICE_MEDIA_LEG_NOT_FOUND';

const STATUS: Record<MediaEngineErrorCode, number> = {
  VOICE_MEDIA_WORKER_MISSING: 503,
  VOICE_MEDIA_WORKER_BROKEN: 503,
  VOICE_MEDIA_ENGINE_CLOSED: 503,
  VOICE_MEDIA_LEG_EXISTS: 409,
  VOICE_MEDIA_LEG_NOT_FOUND: 404,
};

/** Media engine failures (mediasoup worker resolution, start and use). */
export class MediaEngineError extends DomainError<MediaEngineErrorCode> {
  override name = 'MediaEngineError';
  constructor(code: MediaEngineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: STATUS[code], ...options });
  }
}
