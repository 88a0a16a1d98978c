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
  actor?: string;
  action?: string;
  outcome?: AuditOutcome | '';
  /** ISO-8601 UTC bounds. */
  from?: string;
  to?: string;
  limit?: number;
  /** Page after this sequence number. */
  after?: number;
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  problems: { kind: string; seq?: number; id?: string; message: string }[];
}

export type ExportFormat = 'jsonl' | 'csv';

export async function searchAudit(api: ApiClient, query: AuditQuery): Promise<AuditRecord[]> {
  return (await api.get<{ records: AuditRecord[] }>('/api/audit', { ...query })).records;
}

/** A plain link target: the browser downloads it with the session cookie. */
export const auditExportUrl = (api: ApiClient, format: ExportFormat, query: AuditQuery = {}): string =>
  api.url('/api/audit/export', { ...query, format, limit: undefined, after: undefined });

export const verifyAudit = (api: ApiClient): Promise<AuditVerifyResult> =>
  api.get<AuditVerifyResult>('/api/audit/verify');
