import type { ApiClient } from '../../data/api.ts';

export type QaRule = 'greeting' | 'forbidden_words' | 'end_sentiment' | 'response_time' | 'resolution';
export const QA_RULES: readonly QaRule[] = [
  'greeting',
  'forbidden_words',
  'end_sentiment',
  'response_time',
  'resolution',
];

export interface QaFinding {
  rule: QaRule;
  passed: boolean;
  penalty: number;
  detail: string;
}

export interface QaOverride {
  score: number;
  comment: string;
  reviewerId: string;
  at: string;
}

export interface QaResult {
  contactId: string;
  channel: string;
  agentId?: string;
  /** Absent when the rules did not run (status not_scored: a call without a transcript). */
  score?: number;
  status?: 'not_scored';
  reason?: 'no_transcript';
  findings: QaFinding[];
  scoredAt: string;
  closedAt: string;
  override?: QaOverride;
}

export interface QaReportRow {
  agentId: string;
  contacts: number;
  averageScore: number;
  failedRules: Partial<Record<QaRule, number>>;
}

export interface QaFilter {
  agentId?: string;
  from?: string;
  to?: string;
}

export interface BotSettings {
  botEnabled: boolean;
  confidenceThreshold: number;
  faqScoreThreshold: number;
  maxBotTurns: number;
}

const qp = (id: string) => `/api/qa/results/${encodeURIComponent(id)}`;
const query = (f: QaFilter) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<
    string,
    string
  >;

/** One page of results, newest closed first; pass `nextCursor` back as `cursor` for the next. */
export const listQaPage = (api: ApiClient, f: QaFilter, cursor?: string) =>
  api.get<{ results: QaResult[]; nextCursor?: string }>('/api/qa/results', {
    ...query(f),
    ...(cursor ? { cursor } : {}),
  });
export const getQa = (api: ApiClient, id: string) => api.get<QaResult>(qp(id));
export const overrideQa = (api: ApiClient, id: string, body: { score: number; comment: string }) =>
  api.post<QaResult>(`${qp(id)}/override`, body);
export const qaReport = async (api: ApiClient, f: Omit<QaFilter, 'agentId'>) =>
  (await api.get<{ rows: QaReportRow[] }>('/api/qa/report', query(f))).rows;
export const getBotSettings = (api: ApiClient) => api.get<BotSettings>('/api/intelligence/settings');
export const putBotSettings = (api: ApiClient, patch: Partial<BotSettings>) =>
  api.put<BotSettings>('/api/intelligence/settings', patch);

/** The score that counts: a reviewer's override replaces the rules' score. */
export const effectiveScore = (r: QaResult) => r.override?.score ?? r.score;
export const failedCount = (r: QaResult) => r.findings.filter((f) => !f.passed).length;

/** The N rules failed most often in a report row, most frequent first. */
export function topFindings(row: QaReportRow, n = 3): Array<[QaRule, number]> {
  return (Object.entries(row.failedRules) as Array<[QaRule, number]>)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
}

/** ISO bounds for a date-input period (local days, `to` inclusive). */
export function periodBounds(fromDay: string, toDay: string): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  if (fromDay) out.from = new Date(`${fromDay}T00:00:00`).toISOString();
  if (toDay) {
    const end = new Date(`${toDay}T00:00:00`);
    end.setDate(end.getDate() + 1);
    out.to = end.toISOString();
  }
  return out;
}
