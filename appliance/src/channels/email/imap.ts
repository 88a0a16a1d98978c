import type { ConnectionOptions } from 'node:tls';
import { ImapFlow } from 'imapflow';
import type { ImapConfig } from '../../config/index.ts';
import type { InboundMessage } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import { type EmailAlarm, raise } from './alarms.ts';
import { deliverMail, describeBlocked } from './deliver.ts';
import type { ImapCursor } from './imap-cursor.ts';
import type { MailPolicy } from './screen.ts';
import type { ThreadIndex } from './threads.ts';

const log = createLogger('channels.email');

/** An alarm for the operator (the module publishes it as `system.alarm_raised`). */
export type ImapAlarm = EmailAlarm;

export interface ImapPollerOptions {
  imap: ImapConfig;
  threads: ThreadIndex;
  ingest: (msg: InboundMessage) => Promise<unknown>;
  cursor: ImapCursor;
  /** Larger mail is skipped (recorded), like SMTP's SIZE limit. */
  maxBytes: number;
  /** The same attachment policy and body limit as SMTP; default the settings' defaults. */
  policy?: MailPolicy;
  onAlarm?: (alarm: ImapAlarm) => unknown;
  /** Reconnect delays: doubling from initialMs (default 2 s) up to maxMs (default 5 min). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Extra TLS options (e.g. a private CA); certificates are always verified. */
  tls?: ConnectionOptions;
}

export interface ImapPollerStatus {
  state: 'stopped' | 'connecting' | 'connected' | 'backing-off' | 'closed';
  /** Consecutive failed connection attempts (0 once connected). */
  failures: number;
  lastError: string | undefined;
  imported: number;
  skipped: number;
  polls: number;
}

/** A mail whose ingest failed this many times in a row is recorded and skipped, so it cannot block later mail. */
const MAX_ATTEMPTS = 3;

function describe(err: unknown): string {
  const e = err as { authenticationFailed?: boolean; code?: string; responseText?: string; message?: string };
  if (e.authenticationFailed) return 'authentication failed (check the user and BRANCHLINE_IMAP_PASSWORD)';
  return [e.code, e.responseText ?? e.message].filter(Boolean).join(': ') || String(err);
}

/**
 * Imports mail from one IMAP folder into the same inbound pipeline as SMTP
 * (so threading and Message-ID de-duplication are identical). Keeps one
 * connection, polls every `pollSeconds` and sooner when the server reports new
 * mail (imapflow IDLEs when the server can). The import position (UIDVALIDITY +
 * last UID) is durable; failures back off and raise an alarm, never throw.
 */
export class ImapPoller {
  #o: ImapPollerOptions;
  #status: ImapPollerStatus = {
    state: 'stopped',
    failures: 0,
    lastError: undefined,
    imported: 0,
    skipped: 0,
    polls: 0,
  };
  #client: ImapFlow | undefined;
  #loop: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** A wake-up that came while no sleep was pending (new mail during a poll). */
  #kicked = false;
  #attempts = new Map<number, number>();

  constructor(options: ImapPollerOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${options.maxBytes}`);
    this.#o = options;
  }

  /** Starts polling in the background; a second call does nothing. */
  start(): void {
    if (this.#closed) throw new TypeError('ImapPoller is closed');
    this.#loop ??= this.#run();
  }

  /** Polls now instead of at the next interval. */
  pollNow(): void {
    this.#kick();
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  status(): Readonly<ImapPollerStatus> {
    return { ...this.#status };
  }

  async #run(): Promise<void> {
    const { imap } = this.#o;
    const where = `${imap.user}@${imap.host}:${imap.port}/${imap.mailbox}`;
    while (!this.#closed) {
      let client: ImapFlow | undefined;
      try {
        this.#status.state = 'connecting';
        client = await this.#connect();
        if (this.#status.failures > 0) log.info(`imap reconnected [${where}]`);
        else log.info(`imap connected [${where}]`);
        this.#status = { ...this.#status, state: 'connected', failures: 0, lastError: undefined };
        while (!this.#closed && client.usable) {
          await this.#pollOnce(client);
          await this.#sleep(imap.pollSeconds * 1000);
        }
        if (!this.#closed) throw new Error('connection closed by the server');
      } catch (err) {
        if (this.#closed) break;
        const reason = describe(err);
        const failures = this.#status.failures + 1;
        this.#status = { ...this.#status, state: 'backing-off', failures, lastError: reason };
        log.warn(`imap polling failed [${where}]: ${reason}`, { failures });
        // One alarm per outage, not one per retry.
        if (failures === 1) this.#alarm('email.imap_unreachable', `${where}: ${reason}`);
        const { initialMs = 2000, maxMs = 300_000 } = this.#o.backoff ?? {};
        await this.#sleep(Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 20)));
      } finally {
        client?.close();
        this.#client = undefined;
      }
    }
  }

  async #connect(): Promise<ImapFlow> {
    const { imap } = this.#o;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.security === 'tls',
      doSTARTTLS: imap.security === 'starttls',
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      ...(this.#o.tls ? { tls: this.#o.tls } : {}),
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
    });
    this.#client = client;
    // Without a listener an 'error' event would be thrown and crash the appliance.
    client.on('error', (err: unknown) => log.debug('imap connection error', { error: describe(err) }));
    client.on('exists', () => this.#kick());
    // Only a live connection dropping should cut the poll wait: a refused or failed
    // attempt closes too, and kicking then skipped the back-off (a tight reconnect loop).
    client.on('close', () => {
      if (this.#status.state === 'connected') this.#kick();
    });
    await client.connect();
    if (imap.moveTo) {
      // Usually it exists already (ALREADYEXISTS is not an error); if creating fails the move reports it.
      await client.mailboxCreate(imap.moveTo).catch((err: unknown) => {
        log.debug('imap could not create the move-to folder', { error: describe(err) });
      });
    }
    await client.mailboxOpen(imap.mailbox);
    return client;
  }

  async #pollOnce(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('mailbox not selected');
    this.#status.polls++;
    const uidValidity = String(mailbox.uidValidity);
    let cursor = await this.#o.cursor.read();
    if (!cursor || cursor.uidValidity !== uidValidity) {
      // A new UIDVALIDITY means the UIDs were reassigned: rescan; Message-IDs drop what was imported.
      if (cursor) log.warn('imap UIDVALIDITY changed, rescanning the folder', { uidValidity });
      cursor = { uidValidity, lastUid: 0 };
      await this.#o.cursor.write(cursor);
    }
    if (mailbox.exists === 0) return;
    const from = cursor.lastUid + 1;
    // `n:*` always includes the highest UID, even below n: filter.
    const list = (await client.fetchAll(`${from}:*`, { uid: true, size: true }, { uid: true }))
      .filter((m) => m.uid >= from)
      .sort((a, b) => a.uid - b.uid);
    for (const m of list) {
      if (this.#closed) return;
      const done = await this.#importOne(client, m.uid, m.size ?? 0, uidValidity);
      if (!done) return; // try again next poll
    }
  }

  /** True when the UID is finished with (stored, duplicate or skipped); false to retry it later. */
  async #importOne(client: ImapFlow, uid: number, size: number, uidValidity: string): Promise<boolean> {
    if (size > this.#o.maxBytes) {
      await this.#skip(uidValidity, uid, `larger than ${this.#o.maxBytes} bytes (${size})`);
      await this.#advance(uidValidity, uid);
      return true;
    }
    const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    const source = msg === false ? undefined : msg.source;
    const stored = await this.#store(source, uid, uidValidity);
    if (stored === 'retry') return false;
    if (stored === 'imported') await this.#afterImport(client, uid);
    return true;
  }

  /**
   * The local half of an import: ingest, then the cursor past this UID, both
   * durable before it resolves and before the \Seen flag or move (which a
   * closing connection can cut: the cursor used to be written after them, so a
   * close() at that moment left it behind and a restart fetched the mail again).
   */
  async #store(source: Buffer | undefined, uid: number, uidValidity: string) {
    if (source === undefined) {
      await this.#advance(uidValidity, uid); // expunged meanwhile
      return 'gone' as const;
    }
    let outcome: Awaited<ReturnType<typeof deliverMail>>;
    try {
      outcome = await deliverMail(source, {
        threads: this.#o.threads,
        ingest: this.#o.ingest,
        policy: this.#o.policy,
      });
    } catch (err) {
      const attempts = (this.#attempts.get(uid) ?? 0) + 1;
      this.#attempts.set(uid, attempts);
      log.warn(`imap mail UID ${uid} not stored (attempt ${attempts}/${MAX_ATTEMPTS})`, {
        error: String(err),
      });
      if (attempts < MAX_ATTEMPTS) return 'retry' as const;
      await this.#skip(uidValidity, uid, `not stored after ${MAX_ATTEMPTS} attempts: ${String(err)}`);
      await this.#advance(uidValidity, uid);
      return 'skipped' as const;
    }
    this.#attempts.delete(uid);
    if (outcome.kind === 'no-sender') {
      await this.#skip(uidValidity, uid, 'no sender address (missing From, or MIME that cannot be parsed)');
      await this.#advance(uidValidity, uid);
      return 'skipped' as const;
    }
    await this.#advance(uidValidity, uid);
    if (outcome.kind === 'stored' && outcome.blocked.length > 0) {
      this.#alarm('email.attachment_blocked', describeBlocked(outcome.mail.messageId, outcome.blocked));
    }
    // Counted only once durable: a caller that sees the count may restart the poller.
    if (outcome.kind === 'stored') this.#status.imported++;
    return 'imported' as const;
  }

  /** Moves the durable cursor past `uid`: an awaited, fsynced store write. */
  #advance(uidValidity: string, uid: number): Promise<void> {
    return this.#o.cursor.write({ uidValidity, lastUid: uid });
  }

  async #afterImport(client: ImapFlow, uid: number): Promise<void> {
    const { moveTo } = this.#o.imap;
    const ok = moveTo
      ? await client.messageMove(String(uid), moveTo, { uid: true })
      : await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (!ok) log.warn(`imap could not ${moveTo ? `move UID ${uid} to ${moveTo}` : `mark UID ${uid} seen`}`);
  }

  async #skip(uidValidity: string, uid: number, reason: string): Promise<void> {
    this.#status.skipped++;
    this.#attempts.delete(uid);
    await this.#o.cursor.skip(uidValidity, uid, reason);
    log.warn(`imap mail UID ${uid} skipped: ${reason}`);
    this.#alarm('email.imap_message_skipped', `UID ${uid} in ${this.#o.imap.mailbox}: ${reason}`);
  }

  #alarm(alarm: ImapAlarm['alarm'], detail: string): void {
    raise(this.#o.onAlarm, { alarm, severity: 'warning', detail });
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed || this.#kicked) {
      this.#kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        this.#kicked = false;
        done();
      };
    });
  }

  /** Stops polling and logs out; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#status.state = 'closed';
      this.#wake?.();
      // The loop's storage step does not use the connection, so the cursor is durable before
      // #loop settles even when this cuts the \Seen flag or move that follows it.
      this.#client?.close();
      await this.#loop;
      this.#status.state = 'closed';
    })();
    return this.#closing;
  }
}
