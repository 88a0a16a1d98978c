import type { ApiClient } from '../../data/api.ts';

export interface TermView {
  term: string;
  window: number;
  baseline: number;
  customers: number;
  score: number;
  ratio: number;
  series: number[];
}

export interface LabelTrend {
  label: string;
  total: number;
  series: number[];
}

export interface TopicReport {
  k: number;
  days: string[];
  window: { from: string; to: string };
  baseline: { from: string; to: string };
  emerging: TermView[];
  rising: TermView[];
  falling: TermView[];
  top: TermView[];
  labels: { intent: LabelTrend[]; wrapUp: LabelTrend[] };
}

export interface BehaviourReport {
  contacts: number;
  customers: number;
  channelMix: Array<{ channel: string; contacts: number; customers: number; share: number }>;
  repeat: { windowHours: number; contacts: number; rate: number | null };
  switching: {
    windowHours: number;
    contacts: number;
    rate: number | null;
    pairs: Array<{ from: string; to: string; count: number }>;
  };
  perCustomer: Array<{ contacts: string; customers: number }>;
  averagePerCustomer: number | null;
}

export const fetchTopics = (api: ApiClient, days: number, baseline: number) =>
  api.get<TopicReport>('/api/analytics/topics', { days, baseline, limit: 15 });
export const fetchBehaviour = (api: ApiClient, days: number) =>
  api.get<BehaviourReport>('/api/analytics/behaviour', { days });

/** A topic backfill run as the appliance reports it; `none` before the first run. */
export interface BackfillView {
  status: 'none' | 'running' | 'done' | 'failed';
  runId?: string;
  phase?: 'messages' | 'tickets' | 'done';
  counted?: number;
  skipped?: number;
  startedAt?: string;
  finishedAt?: string;
}

export const fetchBackfill = (api: ApiClient) => api.get<BackfillView>('/api/analytics/topics/backfill');
export const startBackfill = (api: ApiClient) => api.post<BackfillView>('/api/analytics/topics/backfill');
