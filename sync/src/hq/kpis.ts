import type { PouchDb } from '../pouch.ts';

export interface BranchKpis {
  ticketsOpen: number;
  ticketsResolved: number;
  /** Audit records (not checkpoints or the head) replicated from the branch. */
  auditRecords: number;
}

const DONE = new Set(['resolved', 'closed']);

/** Whether a ticket projection is resolved or closed (a token or sealed state counts as open). */
export function ticketDone(doc: Record<string, unknown>): boolean {
  const state = (doc['f'] as Record<string, { v?: unknown }> | undefined)?.['state']?.v;
  return typeof state === 'string' && DONE.has(state);
}

/**
 * Cross-branch KPIs from what HQ holds: the ticket projections' `state` field
 * (a token or sealed value under a stricter policy counts as open) and the
 * audit record count.
 */
export async function branchKpis(tickets: PouchDb, audit: PouchDb): Promise<BranchKpis> {
  const t = await tickets.allDocs({ include_docs: true });
  let open = 0;
  let resolved = 0;
  for (const row of t.rows) {
    if (!row.doc || row.id.startsWith('_design/')) continue;
    if (ticketDone(row.doc)) resolved += 1;
    else open += 1;
  }
  const a = await audit.allDocs({ startkey: 'rec:', endkey: 'rec:\ufff0' });
  return { ticketsOpen: open, ticketsResolved: resolved, auditRecords: a.rows.length };
}
