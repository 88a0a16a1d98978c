import type { ApiClient } from '../../data/api.ts';

export interface ReplicationView {
  name: string;
  direction: 'push' | 'pull';
  state: string;
  lastSeq: number | string;
  hqUpdateSeq?: number | string;
  hqReachable: boolean;
  pendingDocs: number;
  lagSeconds: number;
  docsWritten: number;
  restarts: number;
  lastError?: string;
  quarantined: number;
}

export interface SyncStatusView {
  enabled: boolean;
  branchId: string;
  hqUrl?: string;
  policyVersion?: number;
  lagDocs?: number;
  lagSeconds?: number;
  quarantined?: number;
  replications: ReplicationView[];
  quarantine: QuarantinedView[];
}

export interface QuarantinedView {
  id: string;
  cls: string;
  docId: string;
  rev: string;
  reason: string;
  at: string;
  /** HQ asked the branch to release it (the decision stays with the branch). */
  releaseRequest?: { note: string; by: string; at: string };
}

export const fetchSyncStatus = (api: ApiClient) => api.get<SyncStatusView>('/api/sync/status');

/** Offers a quarantined document to HQ again (HQ's current rules decide). */
export const releaseQuarantined = (api: ApiClient, id: string) =>
  api.post<{ closed: number }>(`/api/sync/quarantine/${encodeURIComponent(id)}/release`, {});

/** Closes a quarantine entry; the document stays at the branch only. */
export const discardQuarantined = (api: ApiClient, id: string) =>
  api.post<{ ok: boolean }>(`/api/sync/quarantine/${encodeURIComponent(id)}/discard`, {});
