import { canonicalJson } from './canonical.ts';
import type { PouchDb, PouchDoc } from './pouch.ts';

/** One field of a mergeable projection: its (already shaped) value and the HLC of the write. */
export interface FieldStamp {
  v: unknown;
  t: string;
  /** The field stopped leaving the branch (policy changed); the value is gone. */
  withheld?: true;
}

/** A ticket or CRM projection: a last-writer-wins map of fields keyed by HLC. */
export interface MergeableDoc extends PouchDoc {
  f: Record<string, FieldStamp>;
}

/** Field-by-field merge: the greater HLC wins; HLC strings end in the node id, so ties are deterministic. */
export function mergeFields(
  a: Record<string, FieldStamp>,
  b: Record<string, FieldStamp>,
): Record<string, FieldStamp> {
  const out: Record<string, FieldStamp> = { ...a };
  for (const [k, stamp] of Object.entries(b)) {
    const mine = out[k];
    if (!mine || stamp.t > mine.t || (stamp.t === mine.t && canonicalJson(stamp) > canonicalJson(mine))) {
      out[k] = stamp;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : 1)));
}

/** What a conflict resolution did (recorded locally and announced). */
export interface Resolution {
  id: string;
  winnerRev: string;
  losers: string[];
  mergedRev: string;
  at: string;
}

/**
 * Resolves every open conflict of `id` in `db`: merges all leaf revisions field by
 * field, writes the merge on the winning branch and deletes the losing leaves in
 * one bulk write. Returns undefined when the doc had no conflicts.
 */
export async function resolveConflicts(db: PouchDb, id: string): Promise<Resolution | undefined> {
  const current = (await db.get(id, { conflicts: true })) as MergeableDoc;
  const losers = current._conflicts ?? [];
  if (losers.length === 0) return undefined;
  let fields = current.f ?? {};
  const rest: Record<string, unknown> = {};
  for (const rev of losers) {
    const other = (await db.get(id, { rev })) as MergeableDoc;
    fields = mergeFields(fields, other.f ?? {});
    for (const [k, v] of Object.entries(other)) if (!k.startsWith('_') && k !== 'f') rest[k] = v;
  }
  const { _conflicts, ...base } = current;
  const merged = { ...rest, ...base, f: fields };
  const rows = await db.bulkDocs([merged, ...losers.map((rev) => ({ _id: id, _rev: rev, _deleted: true }))]);
  const first = rows[0] as { rev?: string; error?: unknown };
  if (!first?.rev) throw new Error(`Conflict merge write failed [id:${id}]`);
  return { id, winnerRev: String(current._rev), losers, mergedRev: first.rev, at: new Date().toISOString() };
}
