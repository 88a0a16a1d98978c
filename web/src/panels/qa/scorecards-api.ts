import type { ApiClient } from '../../data/api.ts';

export type Comparison = '<' | '<=' | '>' | '>=';
export interface TextRule {
  id: string;
  kind: 'text';
  check: string;
  weight: number;
  label?: string;
  words?: string[];
  limit?: number;
}
export interface AcousticRule {
  id: string;
  kind: 'acoustic';
  metric: string;
  op: Comparison;
  threshold: number;
  weight: number;
  label?: string;
}
export type ScorecardRule = TextRule | AcousticRule;
export interface Scorecard {
  id: string;
  name: string;
  queues: string[];
  rules: ScorecardRule[];
  version: number;
  updatedAt: string;
  updatedBy: string;
}
export interface TryResult {
  score?: number;
  findings: Array<{ rule: string; passed: boolean; penalty: number; detail: string }>;
  notApplicable: string[];
}

const cardPath = (id: string) => `/api/qa/scorecards/${encodeURIComponent(id)}`;
export const listScorecards = async (api: ApiClient) =>
  (await api.get<{ scorecards: Scorecard[] }>('/api/qa/scorecards')).scorecards;
export const saveScorecard = (api: ApiClient, card: Scorecard) =>
  api.put<Scorecard>(cardPath(card.id), {
    name: card.name,
    queues: card.queues,
    rules: card.rules,
    version: card.version,
  });
export const tryScorecard = (
  api: ApiClient,
  id: string,
  body: {
    rules: ScorecardRule[];
    lines?: Array<{ role: 'customer' | 'agent'; text: string }>;
    callId?: string;
  },
) => api.post<TryResult>(`${cardPath(id)}/test`, body);

/** "customer: …" / "agent: …" (or 客户：/坐席：) lines → a sample conversation. */
export function parseSample(text: string): Array<{ role: 'customer' | 'agent'; text: string }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(customer|agent|客户|坐席)\s*[:：]\s*(.*)$/i.exec(l);
      const who = m?.[1]?.toLowerCase();
      return { role: who === 'agent' || who === '坐席' ? 'agent' : 'customer', text: m?.[2] ?? l };
    });
}
