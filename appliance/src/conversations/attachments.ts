import { ConversationsError } from './errors.ts';
import type { AttachmentInput } from './types.ts';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

const starts = (d: Uint8Array, sig: number[], at = 0) => sig.every((b, i) => d[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Allowed types and the magic bytes that must back the declared type. */
const SNIFF: Record<string, (d: Uint8Array) => boolean> = {
  'image/png': (d) => starts(d, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (d) => starts(d, [0xff, 0xd8, 0xff]),
  'image/gif': (d) => starts(d, ascii('GIF87a')) || starts(d, ascii('GIF89a')),
  'image/webp': (d) => starts(d, ascii('RIFF')) && starts(d, ascii('WEBP'), 8),
  'application/pdf': (d) => starts(d, ascii('%PDF-')),
  // WeChat/WeCom voice messages (AMR-NB, RFC 4867 storage format).
  'audio/amr': (d) => starts(d, ascii('#!AMR\n')),
  'text/plain': (d) => {
    if (d.includes(0)) return false;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(d);
      return true;
    } catch {
      return false;
    }
  },
};

export const ALLOWED_MIME = Object.keys(SNIFF);

/** Rejects oversize files and any type whose content does not match its declared MIME type. */
export function checkAttachment(a: AttachmentInput): void {
  if (a.data.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new ConversationsError(
      'CONVERSATIONS_ATTACHMENT_TOO_LARGE',
      `Attachment exceeds ${MAX_ATTACHMENT_BYTES} bytes`,
      {
        status: 413,
        details: { limit: MAX_ATTACHMENT_BYTES },
      },
    );
  }
  const mime = a.mime.toLowerCase().split(';')[0]?.trim() ?? '';
  const sniff = SNIFF[mime];
  if (!sniff?.(a.data)) {
    throw new ConversationsError(
      'CONVERSATIONS_ATTACHMENT_TYPE',
      'Attachment type not allowed or not matching its content',
      {
        status: 415,
        details: { mime, allowed: ALLOWED_MIME },
      },
    );
  }
  if (a.name.length === 0 || a.name.length > 255 || /[/\\\0]/.test(a.name)) {
    throw new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', 'Invalid attachment name', {
      details: { field: 'name' },
    });
  }
}

export function checkAttachments(list: AttachmentInput[] | undefined): void {
  if (!list) return;
  if (list.length > MAX_ATTACHMENTS) {
    throw new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', `At most ${MAX_ATTACHMENTS} attachments`);
  }
  for (const a of list) checkAttachment(a);
}
