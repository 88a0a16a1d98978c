import type { PouchDb, PouchDoc, Replicator } from '../../../sync/src/index.ts';

export interface QuarantineEntry {
  /** The quarantine record's id (what release and discard take). */
  id: string;
  cls: string;
  docId: string;
  rev: string;
  reason: string;
  at: string;
  /** HQ asked for a release (the branch admin decides). */
  releaseRequest?: { note: string; by: string; at: string };
}

export interface QuarantineTally {
  count: number;
  perClass: Record<string, number>;
  /** Newest first, at most 50: pushed to HQ in the status doc. */
  recent: QuarantineEntry[];
}

export interface ReplicationView {
  name: string;
  direction: 'push' | 'pull';
  state: string;
  /** Last source sequence confirmed written to the target. */
  lastSeq: number | string;
  /** HQ's update sequence of this database; absent when HQ did not answer. */
  hqUpdateSeq?: number | string;
  hqReachable: boolean;
  pendingDocs: number;
  lagSeconds: number;
  docsWritten: number;
  restarts: number;
  lastError?: string;
  quarantined: number;
}

export interface SyncStatus {
  enabled: true;
  policyVersion: number;
  lagDocs: number;
  lagSeconds: number;
  quarantined: number;
  replications: ReplicationView[];
}

const PENDING_LIMIT = 10_000;

function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    p.catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref()),
  ]);
}

export function toEntry(doc: PouchDoc): QuarantineEntry {
  const req = doc['releaseRequest'] as { note?: string; by?: string; at?: string } | undefined;
  return {
    id: doc._id,
    ...(req
      ? {
          releaseRequest: {
            note: String(req.note ?? ''),
            by: String(req.by ?? 'hq'),
            at: String(req.at ?? ''),
          },
        }
      : {}),
    cls: String(doc['cls']),
    docId: String(doc['docId']),
    rev: String(doc['rev'] ?? 'none'),
    reason: String(doc['reason']),
    at: String(doc['at']),
  };
}

/** The quarantine as it stands on disk (survives restarts). */
export async function tallyQuarantine(db: PouchDb): Promise<QuarantineTally> {
  const res = await db.allDocs({ include_docs: true });
  const entries = res.rows.flatMap((r) => (r.doc && r.id.startsWith('q:') ? [toEntry(r.doc)] : []));
  const perClass: Record<string, number> = {};
  for (const e of entries) perClass[e.cls] = (perClass[e.cls] ?? 0) + 1;
  entries.sort((a, b) => b.at.localeCompare(a.at));
  return { count: entries.length, perClass, recent: entries.slice(0, 50) };
}

/**
 * Per replication: pending documents are the source's changes after the last
 * confirmed sequence; lag seconds is the time since the last progress while
 * anything is pending (0 when caught up).
 */
export async function buildStatus(input: {
  reps: Replicator[];
  dbs: Record<string, PouchDb>;
  policyVersion: number;
  quarantine: QuarantineTally;
  reachable: Map<string, boolean> | undefined;
}): Promise<SyncStatus> {
  const now = Date.now();
  const replications: ReplicationView[] = [];
  for (const r of input.reps) {
    const s = r.status;
    const local = input.dbs[s.name];
    const info = await within(r.remote.info(), 2_000);
    const source = s.direction === 'push' ? local : info ? r.remote : undefined;
    const changes = source
      ? await within(source.changes({ since: s.lastSeq, limit: PENDING_LIMIT }), 2_000)
      : undefined;
    const pendingDocs = changes?.results.filter((c) => !c.id.startsWith('_design/')).length ?? 0;
    replications.push({
      name: s.name,
      direction: s.direction,
      state: s.state,
      lastSeq: s.lastSeq,
      ...(info ? { hqUpdateSeq: info.update_seq } : {}),
      hqReachable: info !== undefined && input.reachable?.get(s.name) !== false,
      pendingDocs,
      lagSeconds: pendingDocs ? Math.max(0, Math.round((now - s.lastProgressAt) / 1000)) : 0,
      docsWritten: s.docsWritten,
      restarts: s.restarts,
      ...(s.lastError ? { lastError: s.lastError } : {}),
      quarantined: input.quarantine.perClass[s.name] ?? 0,
    });
  }
  const pushes = replications.filter((r) => r.direction === 'push');
  return {
    enabled: true,
    policyVersion: input.policyVersion,
    lagDocs: pushes.reduce((n, r) => n + r.pendingDocs, 0),
    lagSeconds: Math.max(0, ...pushes.map((r) => r.lagSeconds)),
    quarantined: input.quarantine.count,
    replications,
  };
}
