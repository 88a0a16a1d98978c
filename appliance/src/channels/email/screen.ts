import { loadConfig } from '../../config/index.ts';
import {
  type AttachmentInput,
  type AttachmentPolicy,
  attachmentProblem,
  type BlockedAttachmentInput,
  mailAttachmentPolicy,
} from '../../conversations/index.ts';
import type { ParsedMail } from './inbound.ts';

/** What one inbound mail may store: its attachment policy and the longest body shown. */
export interface MailPolicy {
  attachments: AttachmentPolicy;
  bodyMaxChars: number;
}

export function mailPolicyOf(config: {
  mailAttachmentTypes: readonly string[];
  mailAttachmentMaxBytes: number;
  mailAttachmentMaxCount: number;
  mailBodyMaxChars: number;
}): MailPolicy {
  return Object.freeze({ attachments: mailAttachmentPolicy(config), bodyMaxChars: config.mailBodyMaxChars });
}

let defaults: MailPolicy | undefined;
/** The settings' defaults (BRANCHLINE_MAIL_ATTACHMENT_*, BRANCHLINE_MAIL_BODY_MAX_CHARS unset). */
export function defaultMailPolicy(): MailPolicy {
  defaults ??= mailPolicyOf(loadConfig({}));
  return defaults;
}

export interface ScreenedMail {
  text: string;
  attachments: AttachmentInput[];
  /** Refused by the policy: stored quarantined, never dropped. */
  blocked: BlockedAttachmentInput[];
  truncated: boolean;
}

export const ORIGINAL_NAME = 'original.eml';

/**
 * Applies the policy to a parsed mail so that storing it cannot fail on a
 * condition that will not change: an over-long body is cut with a marker (the
 * whole original kept as an encrypted `original.eml` attachment), and every
 * file the policy refuses (type, content, size, count) is blocked, not lost.
 */
export function screenMail(mail: ParsedMail, raw: Buffer, policy: MailPolicy): ScreenedMail {
  const files: AttachmentInput[] = [];
  let text = mail.text;
  const truncated = text.length > policy.bodyMaxChars;
  if (truncated) {
    let cut = text.slice(0, policy.bodyMaxChars);
    // Never end on half a surrogate pair.
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    text =
      `${cut}\n\n[… truncated: ${cut.length} of ${mail.text.length} characters shown;` +
      ` the full message is attached as ${ORIGINAL_NAME}]`;
    files.push({ name: ORIGINAL_NAME, mime: 'message/rfc822', data: new Uint8Array(raw) });
  }
  files.push(...mail.attachments);
  const attachments: AttachmentInput[] = [];
  const blocked: BlockedAttachmentInput[] = [];
  for (const f of files) {
    const reason =
      attachmentProblem(f, policy.attachments) ??
      (attachments.length >= policy.attachments.maxCount ? 'too_many' : undefined);
    if (reason) blocked.push({ ...f, reason });
    else attachments.push(f);
  }
  return { text, attachments, blocked, truncated };
}
