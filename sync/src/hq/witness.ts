import { verifyAuditStore } from '../../../appliance/src/audit/index.ts';
import { MemoryDocStore } from '../../../appliance/src/storage/index.ts';
import type { PouchDb } from '../pouch.ts';

export interface WitnessReport {
  branch: string;
  ok: boolean;
  records: number;
  checkpoints: number;
  lastCheckpointSeq: number;
  problems: string[];
  /** Format 1 records whose content the policy shaped: chain, order and checkpoints checked, content not. */
  unchecked?: number;
  /** Records replicated ahead of the signed head (in flight, not yet a problem). */
  beyondHead?: number;
}

/** Records arrive before the head that covers them; only a tail left uncovered this long is a problem. */
const BEYOND_HEAD_GRACE_MS = 120_000;
const BEYOND = /^Records (\d+)\.\.(\d+) lie beyond the signed head$/;

/**
 * HQ's audit witness. Verifies a branch's replicated audit log against the
 * branch's pinned audit key (hash chain, Merkle checkpoints, signed head) on
 * the policy-shaped copy HQ holds (format 2 records through their commitments and
 * the openings of fields shipped unchanged), and
 * remembers the checkpoints it accepted, so a later fork (same seq, other root)
 * or rollback (fewer checkpoints) raises a problem even if the log verifies.
 */
export class AuditWitness {
  readonly #accepted = new Map<string, Map<number, string>>();
  /** Since when a branch's replicated log has had records beyond its signed head. */
  readonly #beyondSince = new Map<string, number>();
  readonly #graceMs: number;

  constructor(options: { beyondHeadGraceMs?: number } = {}) {
    this.#graceMs = options.beyondHeadGraceMs ?? BEYOND_HEAD_GRACE_MS;
  }

  async verify(branch: string, db: PouchDb, publicKey: string): Promise<WitnessReport> {
    const store = new MemoryDocStore(`witness-${branch}`);
    const all = await db.allDocs({ include_docs: true });
    const problems: string[] = [];
    const ckpts = new Map<number, string>();
    for (const row of all.rows) {
      if (!row.doc || row.id.startsWith('_design/')) continue;
      const { _rev, class: _c, policyVersion: _p, ...doc } = row.doc;
      await store.put(doc);
      if (row.id.startsWith('ckpt:')) ckpts.set(Number(doc['seq']), String(doc['root']));
    }
    const report = await verifyAuditStore(store, { publicKey, projected: true });
    await store.close();
    let beyondHead = 0;
    for (const p of report.problems) {
      const m = p.kind === 'head_mismatch' ? BEYOND.exec(p.message) : null;
      if (m) {
        // Replication does not order docs: records can land before the head that signs them.
        beyondHead = Number(m[2]) - Number(m[1]) + 1;
        const since = this.#beyondSince.get(branch) ?? Date.now();
        this.#beyondSince.set(branch, since);
        if (Date.now() - since < this.#graceMs) continue;
      }
      problems.push(`${p.kind}: ${p.message}`);
    }
    if (beyondHead === 0) this.#beyondSince.delete(branch);
    const seen = this.#accepted.get(branch) ?? new Map<number, string>();
    for (const [seq, root] of seen) {
      const now = ckpts.get(seq);
      if (now === undefined) problems.push(`rollback: checkpoint ${seq} accepted earlier is gone`);
      else if (now !== root) problems.push(`fork: checkpoint ${seq} root changed`);
    }
    const ok = problems.length === 0;
    if (ok) for (const [seq, root] of ckpts) seen.set(seq, root);
    this.#accepted.set(branch, seen);
    return {
      branch,
      ok,
      records: report.records,
      checkpoints: report.checkpoints,
      lastCheckpointSeq: Math.max(0, ...ckpts.keys()),
      problems,
      ...(report.unchecked ? { unchecked: report.unchecked } : {}),
      ...(beyondHead > 0 ? { beyondHead } : {}),
    };
  }
}
