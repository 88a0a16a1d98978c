import type { PouchDb, PouchDoc } from '../../../sync/src/index.ts';
import { SyncBridgeError } from './errors.ts';

export interface ReleaseOutcome {
  quarantineId: string;
  cls: string;
  docId: string;
  /** The revision now at HQ (the branch's current one, which may be newer than the refused one). */
  rev: string;
  /** Quarantine entries for the same document closed by this release. */
  closed: number;
}

interface Entry extends PouchDoc {
  cls: string;
  docId: string;
  rev: string;
  reason: string;
}

async function entry(quarantine: PouchDb, id: string): Promise<Entry> {
  const q = id.startsWith('q:') ? await quarantine.get(id).catch(() => undefined) : undefined;
  if (!q || typeof q['docId'] !== 'string' || typeof q['cls'] !== 'string')
    throw new SyncBridgeError('SYNC_QUARANTINE_NOT_FOUND', `No quarantined document ${id}`, { status: 404 });
  return q as Entry;
}

/** Removes quarantine docs and compacts, so the refused bodies they kept do not linger in old revisions. */
async function drop(quarantine: PouchDb, docs: PouchDoc[]): Promise<void> {
  await quarantine.bulkDocs(docs.map((d) => ({ _id: d._id, _rev: d._rev, _deleted: true })));
  await (quarantine as PouchDb & { compact?: () => Promise<unknown> }).compact?.().catch(() => undefined);
}

/**
 * Offers a quarantined document to HQ again: HQ's `validate_doc_update`
 * decides with its current rules. The document must still be shaped by the
 * residency policy in force; one shaped under an older policy is not sent.
 */
export async function releaseQuarantined(input: {
  id: string;
  quarantine: PouchDb;
  outbound: (cls: string) => PouchDb | undefined;
  remote: (cls: string) => PouchDb | undefined;
  policyVersion: number;
}): Promise<ReleaseOutcome> {
  const q = await entry(input.quarantine, input.id);
  const local = input.outbound(q.cls);
  const remote = input.remote(q.cls);
  const doc = await local?.get(q.docId).catch(() => undefined);
  if (!local || !remote || !doc?._rev)
    throw new SyncBridgeError(
      'SYNC_QUARANTINE_GONE',
      `${q.cls}/${q.docId} is no longer in the outbound database`,
      {
        status: 409,
      },
    );
  const shapedUnder = doc['policyVersion'];
  if (typeof shapedUnder === 'number' && shapedUnder < input.policyVersion)
    throw new SyncBridgeError(
      'SYNC_QUARANTINE_POLICY_CHANGED',
      `${q.docId} was shaped under residency policy v${shapedUnder}, the branch runs v${input.policyVersion}: discard it; the record is projected again on its next change`,
      { status: 409, details: { shapedUnder, policyVersion: input.policyVersion } },
    );
  let refusal: string | undefined;
  try {
    const rep = local.replicate.to(remote, { doc_ids: [q.docId], checkpoint: false });
    rep.on('denied', ((err: { reason?: string; message?: string }) => {
      refusal = err.reason ?? err.message ?? 'denied';
    }) as never);
    await rep;
  } catch (err) {
    throw new SyncBridgeError(
      'SYNC_HQ_UNREACHABLE',
      `HQ did not answer: ${String((err as Error)?.message ?? err)}`,
      {
        status: 503,
        cause: err,
      },
    );
  }
  const atHq = await remote.get(q.docId).catch(() => undefined);
  if (refusal || atHq?._rev !== doc._rev) {
    const reason = refusal ?? 'HQ does not hold the current revision';
    await input.quarantine.put({ ...q, reason, lastReleaseAttempt: new Date().toISOString() });
    throw new SyncBridgeError('SYNC_QUARANTINE_STILL_REFUSED', `HQ still refuses ${q.docId}: ${reason}`, {
      status: 409,
      details: { reason },
    });
  }
  // The current revision is at HQ: every entry for older revisions of the same document is settled too.
  const all = await input.quarantine.allDocs({ include_docs: true });
  const same = all.rows.flatMap((r) =>
    r.doc && r.id.startsWith('q:') && r.doc['cls'] === q.cls && r.doc['docId'] === q.docId ? [r.doc] : [],
  );
  await drop(input.quarantine, same);
  return { quarantineId: q._id, cls: q.cls, docId: q.docId, rev: doc._rev, closed: same.length };
}

/** Closes a quarantine entry without sending anything: the document stays at the branch only. */
export async function discardQuarantined(
  quarantine: PouchDb,
  id: string,
): Promise<{ quarantineId: string; cls: string; docId: string; rev: string; reason: string }> {
  const q = await entry(quarantine, id);
  await drop(quarantine, [q]);
  return { quarantineId: q._id, cls: q.cls, docId: q.docId, rev: q.rev, reason: q.reason };
}

/**
 * Notes HQ's release request on the matching quarantine entries (the branch
 * admin sees it and decides). Returns how many entries were newly annotated.
 */
export async function noteReleaseRequest(quarantine: PouchDb, request: PouchDoc): Promise<number> {
  const { cls, docId, rev, note, by, at } = request as PouchDoc & Record<string, string | undefined>;
  if (!cls || !docId) return 0;
  const all = await quarantine.allDocs({ include_docs: true });
  let n = 0;
  for (const r of all.rows) {
    const q = r.doc;
    if (!q || !r.id.startsWith('q:') || q['cls'] !== cls || q['docId'] !== docId || (rev && q['rev'] !== rev))
      continue;
    if ((q['releaseRequest'] as { id?: string } | undefined)?.id === request._id) continue;
    await quarantine.put({
      ...q,
      releaseRequest: {
        id: request._id,
        note: String(note ?? ''),
        by: String(by ?? 'hq'),
        at: String(at ?? ''),
      },
    });
    n++;
  }
  return n;
}
