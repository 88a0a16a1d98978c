import type { EventBus } from '../events/index.ts';
import type { LabelTrend } from './labels.ts';
import type { CollocationOptions } from './phrases.ts';
import type { TermView } from './topic-report.ts';
import type { ContactFact } from './types.ts';

/** Customer text as another context hands it over, read in process and never stored. */
export interface CustomerText {
  text: string;
  customerId: string;
  at: string;
}

/** Customer text with the id of what it came from (`message:<id>`, `ticket:<id>`), so it is counted once. */
export interface SourcedText extends CustomerText {
  source: string;
}

/** Where customer text is read from when an event names it, or a backfill walks (each may be absent). */
export interface TopicSources {
  /** An inbound message by id; undefined when gone or not from the customer. */
  message?: (messageId: string) => Promise<CustomerText | undefined>;
  /** Subjects of these tickets (those with a customer), read as one batch: one audit record. */
  tickets?: (ticketIds: readonly string[]) => Promise<SourcedText[]>;
  /** Backfill: ids of every conversation. */
  conversations?: () => Promise<string[]>;
  /** Backfill: the inbound messages of one conversation. */
  messagesOf?: (conversationId: string) => Promise<SourcedText[]>;
  /** Backfill: every ticket's subject (not audited here: the run records one read for all). */
  allTickets?: () => Promise<SourcedText[]>;
  /** Appends one personal-data read to the audit trail (a backfill run). */
  recordRead?: (read: {
    actor: string;
    target: string;
    action: string;
    source?: string;
    details?: Record<string, unknown>;
  }) => Promise<void>;
}

export interface TopicOptions {
  sources?: TopicSources;
  /** Keyed hash of a customer id (the blind index), so distinct customers are counted without their ids. */
  pseudonym: (customerId: string) => string;
  bus?: EventBus;
  /** Contact facts in [from, to) (ISO), for the intent / wrap-up labels. */
  facts?: (from: string, to: string) => Promise<ContactFact[]>;
  now?: () => Date;
  /** Minimum distinct customers before a term is shown (default 3). */
  k?: number;
  /** Days of counts kept (default 128: the longest window plus baseline). */
  retentionDays?: number;
  /** IANA zone whose calendar days the counts follow (default: the server's zone). */
  timeZone?: string;
  /** New tickets are read in batches gathered for this long (default 1000 ms): one audit record each. */
  ticketBatchMs?: number;
  /** Conversations (or tickets) a backfill counts per step before saving its cursor (default 20). */
  backfillPage?: number;
  /** Thresholds a two-word phrase must pass to be listed. */
  collocations?: CollocationOptions;
}

export interface TopicQuery {
  days: number;
  baseline: number;
  limit: number;
}

export type { TermView };
export interface TopicReport {
  k: number;
  /** Every day the series cover: baseline days then window days, oldest first. */
  days: string[];
  window: { from: string; to: string };
  baseline: { from: string; to: string };
  emerging: TermView[];
  rising: TermView[];
  falling: TermView[];
  top: TermView[];
  labels: { intent: LabelTrend[]; wrapUp: LabelTrend[] };
}
