import { ConversationsError } from './errors.ts';
import { normaliseMime, SNIFF } from './file-types.ts';
import type { AttachmentInput, AttachmentPolicy, BlockedReason, Channel } from './types.ts';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

/** What chat uploads and every channel without its own policy may store. */
export const CHAT_ATTACHMENT_POLICY: AttachmentPolicy = Object.freeze({
  types: Object.freeze([
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'audio/amr',
    'text/plain',
  ]),
  maxBytes: MAX_ATTACHMENT_BYTES,
  maxCount: MAX_ATTACHMENTS,
});

export const ALLOWED_MIME = [...CHAT_ATTACHMENT_POLICY.types];

/** Every type the content check knows; a policy may allow only these. */
export const KNOWN_MIME = Object.keys(SNIFF);

/** The email channel's policy from its settings (BRANCHLINE_MAIL_ATTACHMENT_*). */
export function mailAttachmentPolicy(c: {
  mailAttachmentTypes: readonly string[];
  mailAttachmentMaxBytes: number;
  mailAttachmentMaxCount: number;
}): AttachmentPolicy {
  return Object.freeze({
    types: Object.freeze([...c.mailAttachmentTypes]),
    maxBytes: c.mailAttachmentMaxBytes,
    maxCount: c.mailAttachmentMaxCount,
  });
}

export function policyFor(
  policies: Partial<Record<Channel, AttachmentPolicy>>,
  channel: Channel,
): AttachmentPolicy {
  return policies[channel] ?? CHAT_ATTACHMENT_POLICY;
}

/** Why a policy refuses a file, or undefined when it may be stored (the count is checked by the caller). */
export function attachmentProblem(a: AttachmentInput, policy: AttachmentPolicy): BlockedReason | undefined {
  if (a.data.byteLength > policy.maxBytes) return 'too_large';
  const mime = normaliseMime(a.mime, a.name);
  if (!policy.types.includes(mime)) return 'type_not_allowed';
  if (!SNIFF[mime]?.(a.data)) return 'content_mismatch';
  if (a.name.length === 0 || a.name.length > 255 || /[/\\\0]/.test(a.name)) return 'bad_name';
  return undefined;
}

/** Rejects oversize files and any type whose content does not match its declared MIME type. */
export function checkAttachment(a: AttachmentInput, policy: AttachmentPolicy = CHAT_ATTACHMENT_POLICY): void {
  const problem = attachmentProblem(a, policy);
  if (problem === 'too_large') {
    throw new ConversationsError(
      'CONVERSATIONS_ATTACHMENT_TOO_LARGE',
      `Attachment exceeds ${policy.maxBytes} bytes`,
      {
        status: 413,
        details: { limit: policy.maxBytes },
      },
    );
  }
  if (problem === 'type_not_allowed' || problem === 'content_mismatch') {
    throw new ConversationsError(
      'CONVERSATIONS_ATTACHMENT_TYPE',
      'Attachment type not allowed or not matching its content',
      {
        status: 415,
        details: { mime: normaliseMime(a.mime, a.name), allowed: [...policy.types] },
      },
    );
  }
  if (problem === 'bad_name') {
    throw new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', 'Invalid attachment name', {
      details: { field: 'name' },
    });
  }
}

export function checkAttachments(
  list: AttachmentInput[] | undefined,
  policy: AttachmentPolicy = CHAT_ATTACHMENT_POLICY,
): void {
  if (!list) return;
  if (list.length > policy.maxCount) {
    throw new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', `At most ${policy.maxCount} attachments`);
  }
  for (const a of list) checkAttachment(a, policy);
}
