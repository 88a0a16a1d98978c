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

export type FieldRule = 'plain' | 'token' | 'sealed' | 'withheld';
export type DataClass = 'tickets' | 'crm' | 'audit' | 'recordings' | 'message_bodies';
export const DATA_CLASSES: readonly DataClass[] = ['tickets', 'crm', 'audit', 'recordings', 'message_bodies'];

export interface FieldRow {
  cls: DataClass;
  field: string;
  rule: FieldRule;
}

export interface LinkView {
  source: 'env' | 'joined';
  branchId: string;
  hqUrl: string;
  joinedAt?: string;
  joinedBy?: string;
  caFingerprint?: string;
}

export interface PolicyChangeView {
  from: number;
  to: number;
  at: string;
  changes: Array<{ cls: DataClass; field: string; before: FieldRule; after: FieldRule }>;
}

export interface JoinCheckView {
  check: 'reachable' | 'tls' | 'credentials' | 'keys';
  result: 'ok' | 'failed' | 'skipped';
  /** English, for API users; the page shows its own text and `info`. */
  detail: string;
  /** Language-neutral evidence (HTTP status, error code, CA fingerprint, policy version). */
  info: string;
}

export interface JoinPreviewView {
  ok: boolean;
  branch: string;
  name: string;
  hqUrl: string;
  caFingerprint?: string;
  policyVersion: number;
  checks: JoinCheckView[];
  fields: FieldRow[];
}

export interface SyncStatusView {
  enabled: boolean;
  branchId: string;
  hqUrl?: string;
  link?: LinkView;
  fields?: FieldRow[];
  policyChange?: PolicyChangeView;
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

/** Parses the pasted bundle and tests the connection it describes (a failed step is in the answer). */
export const checkJoinBundle = (api: ApiClient, bundle: string) =>
  api.post<JoinPreviewView>('/api/sync/join/check', { bundle });

/** Stores the bundle and starts replication; refused unless the connection test passes again. */
export const joinHq = (api: ApiClient, bundle: string) =>
  api.post<JoinPreviewView>('/api/sync/join', { bundle });
