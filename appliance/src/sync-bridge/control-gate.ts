import { type PouchDb, type PouchDoc, verifyControl } from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';

const log = createLogger('sync-bridge');

/**
 * Admits control documents from HQ (freezes) only when signed by the pinned
 * HQ key for this branch, once: a nonce already applied under another
 * revision is a replay. A refused document is quarantined and alarmed, and
 * never applied; re-reading the same revision after a restart is silent.
 */
export class ControlGate {
  readonly #o: {
    branchId: string;
    pinnedKey: string | undefined;
    state: PouchDb;
    quarantine: PouchDb;
    bus: EventBus;
  };

  constructor(options: {
    branchId: string;
    pinnedKey: string | undefined;
    state: PouchDb;
    quarantine: PouchDb;
    bus: EventBus;
  }) {
    this.#o = options;
  }

  /** True when `doc` may be applied now (and records its nonce as applied). */
  async admit(doc: PouchDoc): Promise<boolean> {
    const verdict = verifyControl(doc, this.#o.pinnedKey, this.#o.branchId);
    if (!verdict.ok) {
      await this.#refuse(doc, verdict.reason);
      return false;
    }
    const nonceId = `control-nonce:${verdict.nonce}`;
    const seen = await this.#o.state.get(nonceId).catch(() => undefined);
    if (seen) {
      if (seen['docId'] === doc._id && seen['rev'] === doc._rev) return false; // already applied
      await this.#refuse(doc, 'replay');
      return false;
    }
    await this.#o.state.put({ _id: nonceId, docId: doc._id, rev: doc._rev, at: new Date().toISOString() });
    return true;
  }

  async #refuse(doc: PouchDoc, reason: string): Promise<void> {
    const rev = doc._rev ?? 'none';
    const qid = `q:inbound:${doc._id}:${rev}`;
    const entry = { cls: 'inbound', docId: doc._id, rev, reason: `control doc refused: ${reason}` };
    const put = await this.#o.quarantine
      .put({ _id: qid, ...entry, at: new Date().toISOString(), doc })
      .catch(() => undefined);
    if (!put) return; // this revision was refused before: one alarm per revision
    log.warn('control document refused', { docId: doc._id, reason });
    await this.#o.bus.publish(
      'system.alarm_raised',
      {
        alarm: 'sync.control_refused',
        severity: 'critical',
        detail: `HQ control document ${doc._id} refused (${reason}); not applied`,
      },
      { actor: 'system' },
    );
  }
}
