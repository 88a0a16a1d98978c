import type { BlockedReason, InboundMessage } from '../../conversations/index.ts';
import { type ParsedMail, parseMail, toInbound } from './inbound.ts';
import { defaultMailPolicy, type MailPolicy, screenMail } from './screen.ts';
import type { ThreadIndex } from './threads.ts';

/** A file the policy kept back, as alarms and logs may describe it (no name: names are customer data). */
export interface BlockedSummary {
  mime: string;
  bytes: number;
  reason: BlockedReason;
}

/** What happened to one raw mail handed to the inbound pipeline. */
export type DeliverOutcome =
  | { kind: 'stored'; mail: ParsedMail; threadKey: string; blocked: BlockedSummary[]; truncated: boolean }
  | { kind: 'duplicate'; mail: ParsedMail }
  | { kind: 'no-sender'; mail: ParsedMail };

export interface DeliverOptions {
  threads: ThreadIndex;
  ingest: (msg: InboundMessage) => Promise<unknown>;
  /** SMTP MAIL FROM; IMAP has none. */
  envelopeFrom?: string | undefined;
  /** SMTP RCPT TO; absent = the To/Cc headers. */
  to?: string[] | undefined;
  /** Attachment policy and body limit; default the settings' defaults. */
  policy?: MailPolicy | undefined;
}

/**
 * The one inbound pipeline every transport (SMTP, IMAP) feeds: MIME parse,
 * Message-ID de-duplication, the policy (long bodies cut, refused files
 * quarantined), threading, ingest, then the thread record. The thread record
 * is written only after ingest succeeded, so a failure anywhere leaves the
 * Message-ID unknown and a retry stores the mail; ingest errors propagate for
 * the transport to classify (transient: try again; permanent: refuse).
 */
export async function deliverMail(raw: Buffer, o: DeliverOptions): Promise<DeliverOutcome> {
  const mail = await parseMail(raw, o.envelopeFrom || undefined);
  if (!mail.from) return { kind: 'no-sender', mail };
  if (await o.threads.known(mail.messageId)) return { kind: 'duplicate', mail };
  const threadKey = await o.threads.resolve(mail.messageId, mail.parents);
  const screened = screenMail(mail, raw, o.policy ?? defaultMailPolicy());
  await o.ingest(toInbound(mail, { threadKey, from: mail.from, to: o.to ?? mail.to, screened }));
  await o.threads.record(mail.messageId, threadKey, mail.subject);
  const blocked = screened.blocked.map((b) => ({ mime: b.mime, bytes: b.data.byteLength, reason: b.reason }));
  return { kind: 'stored', mail, threadKey, blocked, truncated: screened.truncated };
}

/** One line for an alarm: which mail, and what of it was kept back. */
export function describeBlocked(messageId: string, blocked: BlockedSummary[]): string {
  const files = blocked.map((b) => `${b.mime} (${b.bytes} bytes): ${b.reason}`).join('; ');
  return `${blocked.length} attachment(s) of ${messageId} quarantined for an admin: ${files}`;
}
