import type { Channel } from '../conversations/index.ts';
import type { AnalyticsService } from './service.ts';

/** Length of one reporting interval (industry default: 15 minutes). */
export const INTERVAL_MS = 15 * 60 * 1000;

/**
 * Everything analytics knows about one contact, keyed by the interval it
 * arrived in. Timestamps are set once (first time seen), so a replayed or
 * re-ordered event cannot move them.
 */
export interface ContactFact {
  contactId: string;
  customerId: string;
  channel: Channel | string;
  /** Routing queue id once routing names it; '-' before that or without routing. */
  queue: string;
  /** ISO start of the arrival interval. */
  bucket: string;
  queuedAt: string;
  activeAt?: string;
  wrapAt?: string;
  closedAt?: string;
  abandonedAt?: string;
  agentId?: string;
  state: string;
  stateAt: string;
  csat?: number;
  /** The `intent` routing attribute (bot, IVR or flow), latest seen. */
  intent?: string;
  /** The agent's wrap-up code, once given. */
  wrapUpCode?: string;
  /** Ids of the events already folded in (idempotent replay). */
  events: string[];
}

/** Counters of one interval × queue × channel; KPIs are derived from these (see kpi.ts). */
export interface IntervalRow {
  bucket: string;
  queue: string;
  channel: string;
  offered: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  abandonedAfter: number;
  /** Closed without ever being answered (e.g. turned into an offline ticket). */
  closedUnanswered: number;
  waitSeconds: number;
  maxWaitSeconds: number;
  handled: number;
  talkSeconds: number;
  wrapSeconds: number;
  csatCount: number;
  csatSum: number;
  csatPositive: number;
}

export type Counters = Omit<IntervalRow, 'bucket' | 'queue' | 'channel'>;

/** Ratios are `null` when their denominator is zero (nothing to report yet). */
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
  asaSeconds: number | null;
  maxWaitSeconds: number;
  csatAverage: number | null;
  csatPositiveRate: number | null;
  csatCount: number;
}

export interface AgentCounts {
  available: number;
  notReady: number;
  offline: number;
  /** Agents holding at least one active or wrap-up contact. */
  onContact: number;
}

export interface WallboardSnapshot {
  at: string;
  /** Start of the reporting day the KPIs cover. */
  since: string;
  kpis: Kpis;
  waiting: number;
  /** Arrival time of the longest-waiting contact, so a console can tick the wait itself. */
  oldestQueuedAt: string | null;
  longestWaitSeconds: number;
  /** Waiting contacts no workflow could route (they wait in routing's fallback queue; an alarm was raised). */
  unroutable: number;
  agents: AgentCounts;
  byQueue: Array<{ queue: string; waiting: number; kpis: Kpis }>;
}

export interface ChurnRisk {
  customerId: string;
  /** 0–100. */
  score: number;
  level: 'low' | 'medium' | 'high';
  reasons: Array<{ code: string; count: number; points: number }>;
}

declare module '../modules.ts' {
  interface Services {
    analytics: AnalyticsService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    /** Throttled (≤ 1/s) KPI snapshot for supervisors' wallboards. */
    'analytics.wallboard_updated': WallboardSnapshot;
  }
}
