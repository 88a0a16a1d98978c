import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { InboundMessage } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import { type DeliverOutcome, deliverMail } from './deliver.ts';
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
}

/** An SMTP error reply (smtp-server sends `responseCode` and the message). */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Inbound MX for the branch: receive-only (no AUTH, so never a relay), recipients
 * limited to configured domains, SIZE advertised and enforced (552), each mail
 * ingested before the 250 so an accepted mail is a stored mail (451 otherwise,
 * and the sender retries).
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
      logger: false,
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
      const { threads, ingest } = this.#options;
      outcome = await deliverMail(raw, { threads, ingest, envelopeFrom, to });
    } catch (err) {
      log.warn('inbound mail not stored, sender will retry', { error: String(err) });
      throw smtpError(451, '4.3.0 Temporary failure storing the message, try again later');
    }
    // A duplicate (a Message-ID we already stored) is accepted with 250 and keeps nothing new.
    if (outcome.kind === 'no-sender') throw smtpError(550, '5.1.7 No sender address');
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
