import type { PouchDb } from './pouch.ts';

export interface DbDifferences {
  local: number;
  remote: number;
  /** In the branch's outbound db but not at HQ (not yet replicated, or refused). */
  missingAtHq: Array<{ id: string; rev: string }>;
  /** At HQ but not (or no longer) in the branch's outbound db. */
  extraAtHq: Array<{ id: string; rev: string }>;
  /** Both hold the doc at different winning revisions. */
  revMismatch: Array<{ id: string; local: string; remote: string }>;
}

export interface ReconcileReport {
  _id: string;
  type: 'reconcile_report';
  at: string;
  ok: boolean;
  differences: number;
  dbs: Record<string, DbDifferences>;
}

const MAX_LISTED = 1000;

async function revs(db: PouchDb): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const all = await db.allDocs();
  for (const row of all.rows) if (!row.id.startsWith('_design/')) out.set(row.id, row.value.rev);
  return out;
}

/** Differences by id and winning revision between one local db and its HQ copy (lists capped at 1000). */
export async function diffDbs(local: PouchDb, remote: PouchDb): Promise<DbDifferences> {
  const [l, r] = await Promise.all([revs(local), revs(remote)]);
  const d: DbDifferences = { local: l.size, remote: r.size, missingAtHq: [], extraAtHq: [], revMismatch: [] };
  for (const [id, rev] of l) {
    const other = r.get(id);
    if (other === undefined) d.missingAtHq.length < MAX_LISTED && d.missingAtHq.push({ id, rev });
    else if (other !== rev)
      d.revMismatch.length < MAX_LISTED && d.revMismatch.push({ id, local: rev, remote: other });
  }
  for (const [id, rev] of r) if (!l.has(id) && d.extraAtHq.length < MAX_LISTED) d.extraAtHq.push({ id, rev });
  return d;
}

/**
 * Nightly reconciliation: compares each outbound db with HQ and builds a
 * report doc (`reconcile:<iso time>`). A db HQ cannot be reached for is
 * reported as an error rather than failing the whole run.
 */
export async function reconcile(
  pairs: Record<string, { local: PouchDb; remote: PouchDb }>,
  options: { now?: Date } = {},
): Promise<ReconcileReport & { errors: Record<string, string> }> {
  const at = (options.now ?? new Date()).toISOString();
  const dbs: Record<string, DbDifferences> = {};
  const errors: Record<string, string> = {};
  for (const [name, { local, remote }] of Object.entries(pairs)) {
    try {
      dbs[name] = await diffDbs(local, remote);
    } catch (err) {
      errors[name] = err instanceof Error ? err.message : String(err);
    }
  }
  const differences = Object.values(dbs).reduce(
    (n, d) => n + d.missingAtHq.length + d.extraAtHq.length + d.revMismatch.length,
    0,
  );
  const ok = differences === 0 && Object.keys(errors).length === 0;
  return { _id: `reconcile:${at}`, type: 'reconcile_report', at, ok, differences, dbs, errors };
}
