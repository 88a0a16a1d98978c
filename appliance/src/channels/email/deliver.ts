import type { InboundMessage } from '../../conversations/index.ts';
import { type ParsedMail, parseMail, toInbound } from './inbound.ts';
import type { ThreadIndex } from './threads.ts';

/** What happened to one raw mail handed to the inbound pipeline. */
export type DeliverOutcome =
  | { kind: 'stored'; mail: ParsedMail; threadKey: string }
  | { kind: 'duplicate'; mail: ParsedMail }
  | { kind: 'no-sender'; mail: ParsedMail };

export interface DeliverOptions {
  threads: ThreadIndex;
  ingest: (msg: InboundMessage) => Promise<unknown>;
  /** SMTP MAIL FROM; IMAP has none. */
  envelopeFrom?: string | undefined;
  /** SMTP RCPT TO; absent = the To/Cc headers. */
  to?: string[] | undefined;
}

/**
 * The one inbound pipeline every transport (SMTP, IMAP) feeds: MIME parse,
 * Message-ID de-duplication, threading, ingest, then the thread record. The
 * thread record is written only after ingest succeeded, so a failure anywhere
 * leaves the Message-ID unknown and a retry stores the mail; ingest errors
 * propagate for the transport to turn into "try again".
 */
export async function deliverMail(raw: Buffer, o: DeliverOptions): Promise<DeliverOutcome> {
  const mail = await parseMail(raw, o.envelopeFrom || undefined);
  if (!mail.from) return { kind: 'no-sender', mail };
  if (await o.threads.known(mail.messageId)) return { kind: 'duplicate', mail };
  const threadKey = await o.threads.resolve(mail.messageId, mail.parents);
  await o.ingest(toInbound(mail, { threadKey, from: mail.from, to: o.to ?? mail.to }));
  await o.threads.record(mail.messageId, threadKey, mail.subject);
  return { kind: 'stored', mail, threadKey };
}
