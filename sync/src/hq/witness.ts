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
}

/**
 * HQ's audit witness. Verifies a branch's replicated audit log against the
 * branch's pinned audit key (hash chain, Merkle checkpoints, signed head) and
 * remembers the checkpoints it accepted, so a later fork (same seq, other root)
 * or rollback (fewer checkpoints) raises a problem even if the log verifies.
 */
export class AuditWitness {
  readonly #accepted = new Map<string, Map<number, string>>();

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
    const report = await verifyAuditStore(store, { publicKey });
    await store.close();
    problems.push(...report.problems.map((p) => `${p.kind}: ${p.message}`));
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
    };
  }
}
