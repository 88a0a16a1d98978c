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
  quarantine: Array<{ cls: string; docId: string; rev: string; reason: string; at: string }>;
}

export const fetchSyncStatus = (api: ApiClient) => api.get<SyncStatusView>('/api/sync/status');
