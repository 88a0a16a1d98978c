import type { ApiClient } from '../../data/api.ts';

export interface Kpis {
  offered: number;
  answered: number;
  abandoned: number;
  handled: number;
  answerRate: number | null;
  abandonRate: number | null;
  serviceLevel: number | null;
  serviceLevelSeconds: number;
  ahtSeconds: number | null;
  csatAverage: number | null;
  csatPositiveRate: number | null;
}

export interface Wallboard {
  kpis: Kpis;
  waiting: number;
  /** Waiting contacts no workflow routed (in the fallback queue, alarm raised). */
  unroutable?: number;
  oldestQueuedAt: string | null;
  agents: { available: number; notReady: number; offline: number; onContact: number };
  byQueue: Array<{ queue: string; waiting: number; kpis: Kpis }>;
}

export interface IntervalRowView {
  bucket: string;
  queue: string;
  channel: string;
  offered: number;
  answered: number;
  kpis: Kpis;
}

export interface Staffing {
  agents: number;
  scheduled: number;
  trafficErlangs: number;
  serviceLevel: number;
}

export const fetchWallboard = (api: ApiClient) => api.get<Wallboard>('/api/analytics/wallboard');
/** Queue names by id (the wallboard shows names, not ids). */
export const fetchQueueNames = async (api: ApiClient) =>
  Object.fromEntries(
    (await api.get<{ queues: { id: string; name: string }[] }>('/api/routing/queue-names')).queues.map(
      (q) => [q.id, q.name],
    ),
  ) as Record<string, string>;
export const fetchIntervals = (api: ApiClient, from: string, to: string) =>
  api.get<{ intervals: IntervalRowView[] }>('/api/analytics/intervals', { from, to });
export const computeStaffing = (api: ApiClient, body: Record<string, number>) =>
  api.post<Staffing>('/api/analytics/staffing', body);

export const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
export const mmss = (s: number | null) =>
  s === null ? '—' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
