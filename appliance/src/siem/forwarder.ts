import type { SiemConfig } from '../config/index.ts';
import { againIn, SupervisedLoop } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { CursorStore } from './cursor-store.ts';
import { SiemError } from './errors.ts';
import { frame, type SyslogOptions, toSyslog } from './format.ts';
import { CollectorLink, describe } from './link.ts';
import type { Cursor, RecordSource, SiemAlarm, SiemState, SiemStatus } from './types.ts';

const log = createLogger('siem');
const MAX_BATCH = 500;
const IDLE_MS = 200;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export interface ForwarderOptions {
  config: SiemConfig;
  source: RecordSource;
  cursor: CursorStore;
  syslog: SyslogOptions;
  /** Publishes `system.alarm_raised`; must not throw. */
  alarm: (a: { alarm: SiemAlarm; severity: 'warning' | 'critical'; detail: string }) => void;
  now?: () => number;
}

/**
 * Forwards every audit record, in sequence order, to the syslog collector:
 * at-least-once with a durable cursor (the last sequence the collector
 * accepted), resuming right after it, so the backlog survives restarts and
 * collector outages.
 *
 * Syslog over TCP/TLS has no application-level acknowledgement. The cursor
 * therefore moves only after a batch's bytes are written and flushed to the
 * kernel with the connection still up (no FIN, RST or error seen, also a
 * moment after the flush: see CollectorLink.send), and it is saved right
 * after that write, before the next batch is read. A record can
 * reach the collector twice only if the appliance dies, or the connection
 * drops, between that flush and the cursor save (one fsync); then the batch is
 * sent again from the cursor. Moving the cursor before the write would lose
 * records instead, which an audit trail must not. Any sign of a dead
 * connection closes it; the next pass reconnects and resends from the cursor.
 */
export class SiemForwarder {
  readonly #o: ForwarderOptions;
  readonly #now: () => number;
  readonly #loop: SupervisedLoop;
  readonly #collector: string;
  #cursor: Cursor = { seq: 0, hash: '', at: '' };
  #link: CollectorLink | undefined;
  #state: SiemState = 'starting';
  #sent = 0;
  #attempts = 0;
  #failures = 0;
  #lastSentAt: number | undefined;
  #unreachableSince: number | undefined;
  #lastError: string | undefined;
  #alarms = new Set<SiemAlarm>();
  /** Send budget (records), refilled at maxRate per second up to one second's worth. */
  #tokens: number;
  #tokensAt: number;
  #started = false;

  constructor(options: ForwarderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#collector = describe(options.config);
    this.#tokens = options.config.maxRate;
    this.#tokensAt = this.#now();
    this.#loop = new SupervisedLoop('siem.forward', async () => againIn(await this.#pass()), {
      everyMs: IDLE_MS,
      log,
    });
  }

  /** Loads the cursor and starts forwarding. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#cursor = await this.#o.cursor.load();
    log.info(`forwarding audit records [collector:${this.#collector}, after:${this.#cursor.seq}]`);
    this.#loop.start({ now: true });
  }

  status(): SiemStatus {
    const lastSeq = this.#o.source.lastSeq();
    return {
      state: this.#state,
      collector: this.#collector,
      cursor: this.#cursor.seq,
      lastSeq,
      backlog: Math.max(0, lastSeq - this.#cursor.seq),
      sent: this.#sent,
      connectAttempts: this.#attempts,
      ...(this.#lastSentAt === undefined ? {} : { lastSentAt: new Date(this.#lastSentAt).toISOString() }),
      ...(this.#unreachableSince === undefined
        ? {}
        : { unreachableSince: new Date(this.#unreachableSince).toISOString() }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      alarms: [...this.#alarms],
    };
  }

  /** One pass; returns the delay before the next. Failures are handled here (own back-off and alarms). */
  async #pass(): Promise<number> {
    if (this.#state === 'closed') return IDLE_MS;
    try {
      return await this.#forward();
    } catch (err) {
      return this.#failed(err);
    }
  }

  async #forward(): Promise<number> {
    const lastSeq = this.#o.source.lastSeq();
    this.#checkBacklog(lastSeq - this.#cursor.seq);
    const link = await this.#connected();
    const backlog = lastSeq - this.#cursor.seq;
    if (backlog <= 0) return IDLE_MS;
    const want = Math.min(MAX_BATCH, this.#o.config.maxRate, backlog);
    const wait = this.#waitFor(want);
    if (wait > 0) return wait;
    const records = await this.#o.source.after(this.#cursor.seq, want);
    if (records.length === 0) return IDLE_MS;
    const opts = this.#o.syslog;
    await link.send(Buffer.concat(records.map((r) => frame(toSyslog(r, opts)))));
    // Flushed with the connection up: the collector has these records. Save at once (see the class comment).
    const last = records.at(-1)!;
    const next = { seq: last.seq, hash: last.hash, at: new Date(this.#now()).toISOString() };
    await this.#o.cursor.save(next);
    this.#cursor = next;
    this.#tokens -= records.length;
    this.#sent += records.length;
    this.#lastSentAt = this.#now();
    this.#failures = 0;
    this.#lastError = undefined;
    this.#checkBacklog(this.#o.source.lastSeq() - next.seq);
    return records.length === want && this.#o.source.lastSeq() > next.seq ? 0 : IDLE_MS;
  }

  /** The open link, or a new one; marks the collector reachable again. */
  async #connected(): Promise<CollectorLink> {
    if (this.#link?.up) return this.#link;
    this.#link?.close();
    this.#link = undefined;
    this.#attempts++;
    const link = await CollectorLink.open(this.#o.config);
    if (this.#state === 'closed') {
      link.close();
      throw new SiemError('SIEM_CONNECTION_LOST', 'Forwarder closed');
    }
    this.#link = link;
    if (this.#unreachableSince !== undefined) {
      log.info(
        `collector reachable again [collector:${this.#collector}, resendFrom:${this.#cursor.seq + 1}]`,
      );
    }
    this.#state = 'connected';
    this.#failures = 0;
    this.#unreachableSince = undefined;
    this.#lastError = undefined;
    this.#alarms.delete('siem.collector_unreachable');
    this.#alarms.delete('siem.certificate_rejected');
    return link;
  }

  /** Milliseconds until `n` records may be sent (0 = now). */
  #waitFor(n: number): number {
    const now = this.#now();
    const rate = this.#o.config.maxRate;
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#tokensAt) * rate) / 1000);
    this.#tokensAt = now;
    return this.#tokens >= n ? 0 : Math.ceil(((n - this.#tokens) * 1000) / rate);
  }

  #failed(err: unknown): number {
    this.#link?.close();
    this.#link = undefined;
    if (this.#state === 'closed') return IDLE_MS;
    const now = this.#now();
    const message = err instanceof Error ? err.message : String(err);
    this.#failures++;
    if (!(err instanceof SiemError)) {
      // The audit or siem store failed, not the collector: retry the same batch (it may then arrive twice).
      log.error(`cannot forward audit records [collector:${this.#collector}]`, { err });
      this.#lastError = message;
      return Math.min(FIRST_RETRY_MS * 2 ** Math.min(this.#failures - 1, 20), MAX_RETRY_MS);
    }
    this.#state = 'unreachable';
    this.#unreachableSince ??= now;
    if (message !== this.#lastError)
      log.warn(`cannot forward audit records [collector:${this.#collector}]: ${message}`);
    this.#lastError = message;
    if (err instanceof SiemError && err.code === 'SIEM_CERTIFICATE_REJECTED') {
      this.#raise(
        'siem.certificate_rejected',
        'critical',
        `${message}; no audit record is sent to an unverified collector`,
      );
    }
    const downS = (now - this.#unreachableSince) / 1000;
    if (downS >= this.#o.config.alarmAfterSeconds) {
      this.#raise(
        'siem.collector_unreachable',
        'warning',
        `${this.#collector} unreachable for ${Math.round(downS)} s (${message}); ${this.status().backlog} records waiting`,
      );
    }
    const delay = Math.min(FIRST_RETRY_MS * 2 ** Math.min(this.#failures - 1, 20), MAX_RETRY_MS);
    // Never wait past the moment the unreachable alarm is due.
    const dueIn = (this.#unreachableSince + this.#o.config.alarmAfterSeconds * 1000 - now) | 0;
    return dueIn > 0 ? Math.min(delay, dueIn) : delay;
  }

  #checkBacklog(backlog: number): void {
    const limit = this.#o.config.backlogAlarm;
    if (backlog > limit) {
      this.#raise(
        'siem.backlog_exceeded',
        'warning',
        `${backlog} audit records waiting for ${this.#collector} (limit ${limit})`,
      );
    } else {
      this.#alarms.delete('siem.backlog_exceeded');
    }
  }

  /** Once per episode: an alarm stays raised until its condition is over. */
  #raise(alarm: SiemAlarm, severity: 'warning' | 'critical', detail: string): void {
    if (this.#alarms.has(alarm)) return;
    this.#alarms.add(alarm);
    log.warn(`alarm [alarm:${alarm}]: ${detail}`);
    this.#o.alarm({ alarm, severity, detail });
  }

  /** Stops forwarding after the batch in flight (its cursor is saved); idempotent. */
  async close(): Promise<void> {
    this.#state = 'closed';
    await this.#loop.close();
    this.#link?.close();
    this.#link = undefined;
  }
}
