import type { ApiClient } from './api.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target?: string;
  outcome: AuditOutcome;
  source?: string;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  /** User id (or 'system'). */
  actor?: string;
  /** Exact action, or a prefix ending in `*`. */
  action?: string;
  /** Exact object, e.g. `ticket:42` or `user:<id>`. */
  target?: string;
  outcome?: AuditOutcome | '';
  /** ISO-8601 UTC bounds. */
  from?: string;
  to?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  /** The opaque `cursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Present while more pages follow. */
  cursor?: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  problems: { kind: string; seq?: number; id?: string; message: string }[];
}

export type ExportFormat = 'jsonl' | 'csv';

export const searchAudit = (api: ApiClient, query: AuditQuery): Promise<AuditPage> =>
  api.get<AuditPage>('/api/audit', { ...query });

/** A plain link target: the browser downloads it with the session cookie (same filters, no paging). */
export const auditExportUrl = (api: ApiClient, format: ExportFormat, query: AuditQuery = {}): string =>
  api.url('/api/audit/export', { ...query, format, limit: undefined, cursor: undefined });

export const verifyAudit = (api: ApiClient): Promise<AuditVerifyResult> =>
  api.get<AuditVerifyResult>('/api/audit/verify');
