import { BadInputError } from '../contracts/index.ts';
import type { DocStore, StoredDoc } from '../storage/index.ts';
import { REC_PREFIX, recId, seqOfId } from './ids.ts';
import type { AuditQuery, AuditRecord, SearchResult } from './types.ts';

const PAGE = 500;

/** A stored record without storage metadata. */
export function toRecord(doc: StoredDoc<AuditRecord>): AuditRecord {
  const { _id, _rev, ...rest } = doc;
  return rest;
}

function matches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.actor !== undefined && r.actor !== q.actor) return false;
  if (q.action !== undefined) {
    const ok = q.action.endsWith('*') ? r.action.startsWith(q.action.slice(0, -1)) : r.action === q.action;
    if (!ok) return false;
  }
  if (q.target !== undefined && r.target !== q.target) return false;
  if (q.outcome !== undefined && r.outcome !== q.outcome) return false;
  if (q.from !== undefined && r.at < q.from) return false;
  if (q.to !== undefined && r.at >= q.to) return false;
  return true;
}

/** Normalises `from`/`to` to UTC ISO so string comparison with `at` is exact. */
function normalise(q: AuditQuery): AuditQuery {
  const out = { ...q };
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (Number.isNaN(t))
      throw new BadInputError('AUDIT_INVALID_SEARCH', `Cannot search audit log: ${k} is not a date`);
    out[k] = new Date(t).toISOString();
  }
  return out;
}

/**
 * Scans records in seq order (or reverse) and keeps those matching every
 * filter; `next` is the seq to pass as `after` for the following page.
 */
export async function searchRecords(
  store: DocStore,
  query: AuditQuery,
  limit: number,
): Promise<SearchResult> {
  const q = normalise(query);
  const out: AuditRecord[] = [];
  let after = q.after === undefined ? undefined : recId(q.after);
  let lastSeen: number | undefined;
  for (;;) {
    const page = await store.list<AuditRecord>({
      prefix: REC_PREFIX,
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
      ...(q.descending ? { descending: true } : {}),
    });
    for (const doc of page) {
      lastSeen = seqOfId(doc._id, REC_PREFIX) ?? lastSeen;
      const r = toRecord(doc);
      if (!matches(r, q)) continue;
      out.push(r);
      if (out.length >= limit) return { records: out, next: r.seq };
    }
    if (page.length < PAGE) return { records: out };
    after = page.at(-1)?._id;
    if (q.descending && after !== undefined && !after.startsWith(REC_PREFIX)) return { records: out };
  }
}
