import { shapeAuditRecord } from './audit-shape.ts';
import type { HybridClock } from './hlc.ts';
import { type FieldStamp, type MergeableDoc, resolveConflicts } from './merge.ts';
import { type DataClass, type ResidencyPolicy, ruleFor } from './policy.ts';
import { isNotFound, type PouchDb, type PouchDoc } from './pouch.ts';
import { fieldDigest, type Sealer, shapeValue } from './shape.ts';

/** The outbound databases, one per replicated class. */
export interface OutboundDbs {
  tickets: PouchDb;
  crm: PouchDb;
  audit: PouchDb;
}

export interface OutboundOptions {
  branchId: string;
  /** The policy in force right now (it can change while running). */
  policy: () => ResidencyPolicy;
  dbs: OutboundDbs;
  /** Branch-only bookkeeping (field digests); never replicated. */
  state: PouchDb;
  tokenKey: Uint8Array;
  sealer: Sealer;
  clock: HybridClock;
}

type RecordClass = 'tickets' | 'crm';
const PREFIX: Record<RecordClass, string> = { tickets: 'ticket:', crm: 'crm:' };
/** Audit docs that carry no personal data (hashes and signatures) and pass as they are. */
const STRUCTURAL = /^(ckpt:|meta:head$)/;

/**
 * The only writer of the outbound databases: everything that enters them has
 * gone through the residency policy first. The databases are private to this
 * object; replication reads them, nothing else writes them.
 */
export class OutboundProjector {
  readonly #o: OutboundOptions;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: OutboundOptions) {
    this.#o = options;
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Projects the current state of one ticket (or CRM record); only changed fields get a new HLC. */
  projectRecord(cls: RecordClass, source: Record<string, unknown> & { id: string }): Promise<string> {
    return this.#serial(() => this.#projectRecord(cls, source));
  }

  async #projectRecord(cls: RecordClass, source: Record<string, unknown> & { id: string }): Promise<string> {
    const { dbs, state, tokenKey, sealer, clock, branchId } = this.#o;
    const policy = this.#o.policy();
    const db = dbs[cls];
    const docId = PREFIX[cls] + source.id;
    const stateId = `digests:${docId}`;
    const seen = await getOrUndefined(state, stateId);
    const digests = { ...((seen?.['digests'] as Record<string, string> | undefined) ?? {}) };
    for (let attempt = 0; ; attempt++) {
      const existing = (await getOrUndefined(db, docId)) as MergeableDoc | undefined;
      if (existing?._conflicts?.length) await resolveConflicts(db, docId);
      const f: Record<string, FieldStamp> = { ...(existing?.f ?? {}) };
      const nextDigests: Record<string, string> = {};
      let changed = !existing;
      for (const [field, value] of Object.entries(source)) {
        if (field === 'id' || field.startsWith('_')) continue;
        const rule = ruleFor(policy, cls, field);
        const digest = `${rule}:${fieldDigest(tokenKey, value)}`;
        nextDigests[field] = digest;
        if (digests[field] === digest && f[field]) continue;
        if (rule === 'withheld') {
          if (f[field] && !f[field].withheld) {
            f[field] = { v: null, t: clock.now(), withheld: true };
            changed = true;
          }
          continue;
        }
        const v = await shapeValue(rule, value, { db: cls, docId, field }, { tokenKey, sealer });
        if (v === undefined) {
          // No key to seal to: the field stays at the branch, as if withheld.
          if (f[field] && !f[field].withheld) {
            f[field] = { v: null, t: clock.now(), withheld: true };
            changed = true;
          }
          continue;
        }
        f[field] = { v, t: clock.now() };
        changed = true;
      }
      if (!changed) return docId;
      const doc: PouchDoc = {
        _id: docId,
        ...(existing?._rev ? { _rev: existing._rev } : {}),
        class: cls,
        branch: branchId,
        policyVersion: policy.version,
        f,
      };
      try {
        await db.put(doc);
        await putState(state, stateId, { digests: nextDigests });
        return docId;
      } catch (err) {
        // A pull from HQ landed between read and write: re-read and merge again.
        if ((err as { status?: number }).status !== 409 || attempt > 5) throw err;
      }
    }
  }

  /**
   * Projects audit store documents (`rec:` records shaped by the policy, see
   * shapeAuditRecord: ids and personal details as the records they describe;
   * `ckpt:`/`meta:head` as they are). Ids are unique per branch and records are
   * immutable, so audit never conflicts.
   */
  projectAudit(docs: PouchDoc[]): Promise<number> {
    return this.#serial(async () => {
      const { dbs, tokenKey, sealer } = this.#o;
      const policy = this.#o.policy();
      const out: PouchDoc[] = [];
      for (const d of docs) {
        if (d._id.startsWith('meta:') && !STRUCTURAL.test(d._id)) continue;
        let shaped: PouchDoc;
        if (STRUCTURAL.test(d._id)) {
          const { _rev, ...rest } = d;
          shaped = rest;
        } else if (d._id.startsWith('rec:')) {
          shaped = await shapeAuditRecord(d, policy, { tokenKey, sealer });
        } else {
          continue;
        }
        out.push(shaped);
      }
      if (out.length === 0) return 0;
      const existing = await dbs.audit.allDocs({ keys: out.map((d) => d._id) });
      const revs = new Map(existing.rows.map((r) => [r.id, r.value?.rev]));
      const writes = out
        .filter((d) => d._id === 'meta:head' || !revs.get(d._id))
        .map((d) => (revs.get(d._id) ? { ...d, _rev: revs.get(d._id) } : d));
      if (writes.length > 0) await dbs.audit.bulkDocs(writes);
      return writes.length;
    });
  }

  /** Every class this projector writes, for scans and reconciliation. */
  classes(): DataClass[] {
    return ['tickets', 'crm', 'audit'];
  }
}

async function getOrUndefined(db: PouchDb, id: string): Promise<PouchDoc | undefined> {
  try {
    return await db.get(id, { conflicts: true });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function putState(db: PouchDb, id: string, body: Record<string, unknown>): Promise<void> {
  const cur = await getOrUndefined(db, id);
  await db.put({ _id: id, ...(cur?._rev ? { _rev: cur._rev } : {}), ...body });
}
