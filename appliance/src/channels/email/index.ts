/**
 * Email channel: inbound SMTP (smtp-server + mailparser, threading by
 * Message-ID / In-Reply-To / References, de-duplication by Message-ID),
 * optional IMAP polling (imapflow) into the same pipeline, and threaded replies through a configured relay (nodemailer).
 * @example
 * import { emailModule } from './channels/email/index.ts';
 * export const MODULES = [conversationsModule, emailModule];
 */

export type { EmailAlarm } from './alarms.ts';
export type { BlockedSummary, DeliverOptions, DeliverOutcome } from './deliver.ts';
/**
 * The one inbound pipeline (parse, de-duplicate by Message-ID, thread, ingest) SMTP and IMAP share.
 * @example
 * const r = await deliverMail(rawBuffer, { threads, ingest: (m) => conversations.ingest(m) });
 * if (r.kind === 'no-sender') …
 */
export { deliverMail } from './deliver.ts';
export type { EmailErrorCode } from './errors.ts';
/**
 * @example
 * if (err instanceof EmailError && err.code === 'EMAIL_RELAY_NOT_CONFIGURED') …
 */
export { EmailError } from './errors.ts';
export type { ImapAlarm, ImapPollerOptions, ImapPollerStatus } from './imap.ts';
/**
 * Polls an IMAP folder into the inbound pipeline; durable UIDVALIDITY + last UID, back-off, alarms.
 * @example
 * const poller = new ImapPoller({ imap: config.imap, threads, ingest, cursor: new ImapCursor(store, config.imap), maxBytes: 25 << 20 });
 * poller.start(); … await poller.close();
 */
export { ImapPoller } from './imap.ts';
export type { ImapCursorDoc, ImapSkipDoc } from './imap-cursor.ts';
/**
 * The durable import position of one mailbox, and the mails it skipped.
 * @example
 * const cursor = new ImapCursor(store, config.imap); await cursor.skipped();
 */
export { ImapCursor } from './imap-cursor.ts';
export type { ParsedMail } from './inbound.ts';
/**
 * MIME → parsed mail (never throws: unparseable mail keeps its raw text).
 * @example
 * const mail = await parseMail(rawBuffer, 'alice@example.com');
 */
export { parseMail } from './inbound.ts';
/**
 * The module, the bound SMTP port once listening (port 0 in tests), and the IMAP poller if configured.
 * @example
 * await core.listen(); const port = smtpBoundPort(); imapPoller()?.status();
 */
export { emailModule, imapPoller, smtpBoundPort } from './module.ts';
export type { EmailSenderOptions, OutboundRecord } from './outbound.ts';
/**
 * Threaded replies through the relay, as a ChannelSender.
 * @example
 * const sender = createEmailSender({ relayUrl: 'smtp://relay:25', from: 'branch@bank.cn', threads, store });
 */
export { createEmailSender } from './outbound.ts';
export type { MailPolicy, ScreenedMail } from './screen.ts';
/**
 * The inbound policy: over-long bodies cut (original kept as original.eml), refused files quarantined, never a refusal.
 * @example
 * const s = screenMail(parsed, raw, mailPolicyOf(config)); s.blocked // [{ name, mime, data, reason: 'type_not_allowed' }]
 */
export { defaultMailPolicy, mailPolicyOf, screenMail } from './screen.ts';
export type { SmtpInboundOptions } from './smtp.ts';
/**
 * The inbound SMTP server.
 * @example
 * const smtp = new SmtpInbound({ host: '127.0.0.1', port: 0, maxBytes: 25 << 20, domains: [], threads, ingest });
 * const port = await smtp.listen();
 */
export { SmtpInbound } from './smtp.ts';
export type { ThreadDoc } from './threads.ts';
/**
 * Message-ID → thread map.
 * @example
 * const threads = new ThreadIndex(store);
 */
export { ThreadIndex } from './threads.ts';
