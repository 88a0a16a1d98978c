import type { PouchDb, PouchDoc } from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { putLatest } from './put-latest.ts';

const log = createLogger('sync-bridge');
const HEAD = 'meta:head';

function generation(rev: string | undefined): number {
  return rev ? Number.parseInt(rev, 10) || 0 : 0;
}

/**
 * The branch's side of HQ's audit witness: raises an alarm when HQ does not
 * take the branch's signed head (`sync.audit_head_refused`), and when HQ's
 * witness reports the replicated log no longer verifies (`audit.witness_failed`).
 */
export class AuditWatch {
  readonly #o: {
    local: PouchDb;
    remote: () => PouchDb | undefined;
    state: PouchDb;
    bus: EventBus;
    graceMs: number;
  };
  /** The local head revision HQ must reach, and since when it has been waiting. */
  #waiting: { rev: string; since: number } | undefined;
  #headAlarm = false;

  constructor(options: {
    local: PouchDb;
    remote: () => PouchDb | undefined;
    state: PouchDb;
    bus: EventBus;
    /** How long HQ may lag behind a head before it counts as refused (default 60 s). */
    graceMs?: number;
  }) {
    this.#o = { ...options, graceMs: options.graceMs ?? 60_000 };
  }

  /**
   * Compares HQ's copy of the signed head with the branch's. A head HQ has not
   * reached within the grace period (while HQ answers) is an alarm, once until
   * HQ catches up. Unreachable HQ is the watchdog's business, not this one's.
   */
  async checkHead(now = Date.now()): Promise<void> {
    const remote = this.#o.remote();
    const local = await this.#o.local.get(HEAD).catch(() => undefined);
    if (!remote || !local?._rev) return;
    let atHq: string | undefined;
    try {
      atHq = (await remote.get(HEAD))._rev;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) return;
    }
    if (this.#waiting && generation(atHq) >= generation(this.#waiting.rev)) {
      if (this.#headAlarm) log.info('HQ holds the signed audit head again', { rev: atHq });
      this.#waiting = undefined;
      this.#headAlarm = false;
    }
    if (atHq === local._rev) return;
    this.#waiting ??= { rev: local._rev, since: now };
    if (this.#headAlarm || now - this.#waiting.since < this.#o.graceMs) return;
    this.#headAlarm = true;
    const detail = `HQ holds audit head ${atHq ?? 'none'}, the branch wrote ${this.#waiting.rev} ${Math.round((now - this.#waiting.since) / 1000)} s ago: HQ's witness cannot see the newest records`;
    log.error('HQ did not take the signed audit head', { atHq, rev: this.#waiting.rev });
    await this.#o.bus.publish(
      'system.alarm_raised',
      { alarm: 'sync.audit_head_refused', severity: 'critical', detail },
      { actor: 'system' },
    );
  }

  /** HQ's witness verdict, pulled from the inbound db: a failure is an alarm, once per verdict. */
  async onVerdict(doc: PouchDoc): Promise<void> {
    const seen = await this.#o.state.get('witness-seen').catch(() => undefined);
    if (seen?.['rev'] === doc._rev) return;
    await putLatest(this.#o.state, 'witness-seen', { rev: doc._rev, ok: doc['ok'] === true });
    const problems = Array.isArray(doc['problems']) ? doc['problems'].map(String) : [];
    if (doc['ok'] === true) {
      if (seen && seen['ok'] === false) log.info("HQ's audit witness verifies the branch again");
      return;
    }
    log.error("HQ's audit witness reports the replicated audit log does not verify", { problems });
    await this.#o.bus.publish(
      'system.alarm_raised',
      { alarm: 'audit.witness_failed', severity: 'critical', detail: problems.join('; ').slice(0, 1_000) },
      { actor: 'hq' },
    );
  }
}
