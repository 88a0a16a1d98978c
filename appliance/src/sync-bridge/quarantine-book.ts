import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { type QuarantineTally, tallyQuarantine } from './status.ts';
import type { BridgeDbs } from './types.ts';

const log = createLogger('sync-bridge');

/** Documents HQ refused: kept in the quarantine db, counted here for the status doc and console. */
export class QuarantineBook {
  readonly #tally: QuarantineTally = { count: 0, perClass: {}, recent: [] };
  readonly #dbs: BridgeDbs;
  readonly #bus: EventBus;

  constructor(dbs: BridgeDbs, bus: EventBus) {
    this.#dbs = dbs;
    this.#bus = bus;
  }

  /** Live (mutated in place), so a status built from it always shows the latest count. */
  get tally(): QuarantineTally {
    return this.#tally;
  }

  /** Recounts from the quarantine db (start-up, release, discard, an HQ release request). */
  async reload(): Promise<void> {
    Object.assign(this.#tally, await tallyQuarantine(this.#dbs.quarantine));
  }

  /** Keeps a copy of the refused revision and raises an alarm, once per revision. */
  async record(cls: string, id: string, rev: string | undefined, reason: string): Promise<void> {
    const db = this.#dbs[cls as 'tickets'];
    const doc = await db.get(id).catch(() => undefined);
    const at = new Date().toISOString();
    const entry = { cls, docId: id, rev: rev ?? doc?._rev ?? 'none', reason, at };
    const qid = `q:${cls}:${id}:${entry.rev}`;
    const put = await this.#dbs.quarantine
      .put({ _id: qid, ...entry, doc })
      .catch((err: { status?: number }) => {
        if (err?.status !== 409) log.error('quarantine write failed', { err, docId: id });
        return undefined;
      });
    // Already quarantined (a restarted replication met the same revision again): no second alert.
    if (!put) return;
    this.#tally.count += 1;
    this.#tally.perClass[cls] = (this.#tally.perClass[cls] ?? 0) + 1;
    this.#tally.recent = [{ id: qid, ...entry }, ...this.#tally.recent].slice(0, 50);
    await this.#bus.publish(
      'sync.doc_quarantined',
      { docId: id, reason, db: cls, rev: entry.rev },
      { actor: 'system' },
    );
    await this.#bus.publish(
      'system.alarm_raised',
      { alarm: 'sync.doc_refused', severity: 'warning', detail: `HQ refused ${cls}/${id}: ${reason}` },
      { actor: 'system' },
    );
  }
}
