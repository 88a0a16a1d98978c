import { checkAttachment, type InboundMessage, MAX_ATTACHMENT_BYTES } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { WechatApiClient } from './api.ts';
import { WechatError } from './errors.ts';

const log = createLogger('channels.wechat');

/** Marker appended to a message whose media could not be kept; the console shows the text as is. */
export const MEDIA_UNAVAILABLE = '[media unavailable]';

/**
 * The platform's Content-Type → the type we store and its extension. OA voice
 * is AMR (or Speex, which no console can play: refused); WeCom/kf voice is AMR
 * by default (sync_msg voice_format 0).
 */
const TYPES: Record<string, { mime: string; ext: string }> = {
  'image/jpeg': { mime: 'image/jpeg', ext: 'jpg' },
  'image/jpg': { mime: 'image/jpeg', ext: 'jpg' },
  'image/png': { mime: 'image/png', ext: 'png' },
  'image/gif': { mime: 'image/gif', ext: 'gif' },
  'image/webp': { mime: 'image/webp', ext: 'webp' },
  'audio/amr': { mime: 'audio/amr', ext: 'amr' },
  'voice/amr': { mime: 'audio/amr', ext: 'amr' },
};

export interface MediaPolicy {
  /** At most this many bytes (never above the conversations limit). */
  maxBytes: number;
  timeoutMs: number;
  /** Tries from the durable inbox before the message is kept with the marker. */
  attempts: number;
}

export const DEFAULT_MEDIA_POLICY: MediaPolicy = {
  maxBytes: MAX_ATTACHMENT_BYTES,
  timeoutMs: 15_000,
  attempts: 3,
};

/** Network trouble, HTTP 5xx and errcode -1 ("system busy") may pass; anything else will not. */
function transient(err: unknown): boolean {
  if (!(err instanceof WechatError)) return false;
  if (err.code !== 'WECHAT_API_FAILED') return false;
  const errcode = err.details?.['errcode'];
  return errcode === undefined || errcode === -1;
}

function codeOf(err: unknown): string {
  if (err instanceof WechatError) {
    const errcode = err.details?.['errcode'];
    return errcode === undefined ? err.code : `${err.code}:${String(errcode)}`;
  }
  return (err as { code?: string } | null)?.code ?? 'UNKNOWN';
}

/**
 * Adds the bytes of an image/voice message (`meta.mediaId`) as an attachment.
 * A transient failure throws while tries remain (the inbox retries later);
 * otherwise the message goes on without the file, marked and logged: the
 * customer's words are never held back by their media.
 */
export async function withMedia(
  msg: InboundMessage,
  api: WechatApiClient,
  options: { attempt: number; policy: MediaPolicy },
): Promise<InboundMessage> {
  const mediaId = msg.meta?.['mediaId'];
  const kind = msg.meta?.['msgType'];
  if (!mediaId || (kind !== 'image' && kind !== 'voice')) return msg;
  const { policy } = options;
  try {
    const got = await api.getMedia(mediaId, {
      maxBytes: Math.min(policy.maxBytes, MAX_ATTACHMENT_BYTES),
      timeoutMs: policy.timeoutMs,
    });
    const type = TYPES[got.mime];
    if (!type?.mime.startsWith(kind === 'image' ? 'image/' : 'audio/')) {
      throw new WechatError('WECHAT_MEDIA_REFUSED', `Media type not allowed [type:${got.mime || 'none'}]`, {
        status: 415,
      });
    }
    const file = {
      name: `${kind}-${msg.externalId.replace(/[^\w.-]/g, '_')}.${type.ext}`,
      mime: type.mime,
      data: got.data,
    };
    // Same size/type/magic-bytes check as web chat uploads, so ingest cannot refuse the message for its file.
    checkAttachment(file);
    return { ...msg, attachments: [...(msg.attachments ?? []), file] };
  } catch (err) {
    if (transient(err) && options.attempt + 1 < policy.attempts) throw err;
    log.error(`media not fetched; message kept without it [externalId:${msg.externalId}]`, {
      code: codeOf(err),
      error: String(err),
    });
    return {
      ...msg,
      text: msg.text ? `${msg.text} ${MEDIA_UNAVAILABLE}` : MEDIA_UNAVAILABLE,
      meta: { ...msg.meta, media: 'unavailable', mediaError: codeOf(err) },
    };
  }
}
