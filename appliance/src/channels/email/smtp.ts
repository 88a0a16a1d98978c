import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { DomainError } from '../../contracts/index.ts';
import type { InboundMessage } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import { type EmailAlarm, raise } from './alarms.ts';
import { type DeliverOutcome, deliverMail, describeBlocked } from './deliver.ts';
import type { MailPolicy } from './screen.ts';
import type { ThreadIndex } from './threads.ts';

const log = createLogger('channels.email');

export interface SmtpInboundOptions {
  host: string;
  port: number;
  maxBytes: number;
  /** Accepted recipient domains or full addresses; empty = any, from loopback peers only. */
  domains: readonly string[];
  threads: ThreadIndex;
  ingest: (msg: InboundMessage) => Promise<unknown>;
  /** PEM key/cert to offer STARTTLS; absent = STARTTLS hidden. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  hostname?: string;
  /** Attachment policy and body limit; default the settings' defaults. */
  policy?: MailPolicy;
  /** Every refusal (5xx) and every quarantined attachment raises one. */
  onAlarm?: (alarm: EmailAlarm) => unknown;
}

/** An SMTP error reply (smtp-server sends `responseCode` and the message). */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * A storage failure that will not go away on a retry (the message breaks a
 * rule, not the disk): refusing it for good tells the sender now, where 451
 * would have them retry for days and then bounce anyway.
 */
function isPermanent(err: unknown): boolean {
  return (
    err instanceof DomainError &&
    err.status >= 400 &&
    err.status < 500 &&
    ![408, 409, 429].includes(err.status)
  );
}

/**
 * smtp-server refuses an over-size message itself (at MAIL FROM when the
 * client declares SIZE, else after DATA) and calls no handler for it; its
 * reply log line is the one place that sees both, so this logger watches it.
 */
function refusalWatcher(onRefused: (reply: string) => void) {
  const none = () => undefined;
  return {
    level: none,
    trace: none,
    info: none,
    warn: none,
    error: none,
    fatal: none,
    debug: (entry: { tnx?: string } | undefined, _msg?: unknown, payload?: unknown) => {
      if (entry?.tnx === 'send' && typeof payload === 'string' && /^552 /.test(payload)) onRefused(payload);
    },
  };
}

/**
 * Inbound MX for the branch: receive-only (no AUTH, so never a relay), recipients
 * limited to configured domains, SIZE advertised and enforced (552), each mail
 * ingested before the 250 so an accepted mail is a stored mail. Policy never
 * refuses a mail (see screen.ts); 5xx only for what cannot be stored at all,
 * 451 only for what may succeed on a retry.
 */
export class SmtpInbound {
  #server: SMTPServer;
  #options: SmtpInboundOptions;
  #port: number | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: SmtpInboundOptions) {
    this.#options = options;
    this.#server = new SMTPServer({
      name: options.hostname ?? 'branchline',
      banner: 'Branchline inbound mail',
      size: options.maxBytes,
      authOptional: true,
      disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      hideSTARTTLS: !options.tls,
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
      logger: refusalWatcher((reply) => {
        log.warn(`inbound mail refused, over the size limit [reply:${reply}]`);
        this.#alarm(`over the ${options.maxBytes} byte limit, refused for good (${reply})`);
      }),
      onRcptTo: (address, session, cb) => cb(this.#checkRecipient(address.address, session)),
      onData: (stream, session, cb) => {
        this.#receive(stream, session).then(
          () => cb(),
          (err: Error) => cb(err),
        );
      },
    });
    this.#server.on('error', (err) => log.warn('smtp server error', { error: String(err) }));
  }

  #checkRecipient(address: string, session: SMTPServerSession): Error | null {
    const addr = address.toLowerCase();
    const domains = this.#options.domains;
    if (domains.length === 0) {
      return LOOPBACK.test(session.remoteAddress) ? null : smtpError(550, '5.7.1 Relaying denied');
    }
    const domain = addr.split('@').pop() ?? '';
    return domains.includes(addr) || domains.includes(domain)
      ? null
      : smtpError(550, '5.7.1 Relaying denied');
  }

  async #receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      // Past the limit smtp-server keeps reading (to stay in sync) but we stop buffering.
      if (bytes <= this.#options.maxBytes) chunks.push(chunk);
    }
    if (stream.sizeExceeded || bytes > this.#options.maxBytes) {
      throw smtpError(552, `5.3.4 Message exceeds the ${this.#options.maxBytes} byte limit`);
    }
    const raw = Buffer.concat(chunks);
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
    const to = session.envelope.rcptTo.map((r) => r.address);
    let outcome: DeliverOutcome;
    try {
      const { threads, ingest, policy } = this.#options;
      outcome = await deliverMail(raw, { threads, ingest, envelopeFrom, to, policy });
    } catch (err) {
      if (isPermanent(err)) {
        const code = (err as DomainError).code;
        log.warn(`inbound mail refused, it cannot be stored [code:${code}]`, { error: String(err) });
        this.#alarm(`cannot be stored (${code}), refused for good`);
        throw smtpError(554, `5.6.0 Message cannot be stored (${code})`);
      }
      // Only what may succeed later (storage busy or unavailable) is temporary.
      log.warn('inbound mail not stored, sender will retry', { error: String(err) });
      throw smtpError(451, '4.3.0 Temporary failure storing the message, try again later');
    }
    // A duplicate (a Message-ID we already stored) is accepted with 250 and keeps nothing new.
    if (outcome.kind === 'no-sender') {
      this.#alarm('no sender address (no From and no MAIL FROM), refused for good');
      throw smtpError(550, '5.1.7 No sender address');
    }
    if (outcome.kind === 'stored' && outcome.blocked.length > 0) {
      raise(this.#options.onAlarm, {
        alarm: 'email.attachment_blocked',
        severity: 'warning',
        detail: describeBlocked(outcome.mail.messageId, outcome.blocked),
      });
    }
  }

  #alarm(why: string): void {
    raise(this.#options.onAlarm, {
      alarm: 'email.message_refused',
      severity: 'warning',
      detail: `SMTP: ${why}`,
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return this.#port;
  }

  /** The bound port (useful with port 0). */
  get port(): number | undefined {
    return this.#port;
  }

  close(): Promise<void> {
    this.#closing ??=
      this.#port === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#server.close(() => resolve()));
    return this.#closing;
  }
}
