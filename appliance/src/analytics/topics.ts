import type { DomainEvent, EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import { dayOf, dayRange, midnightBefore } from './days.ts';
import { type LabelTrend, labelTrends } from './labels.ts';
import { topicTerms } from './terms.ts';
import { TopicStore } from './topic-store.ts';
import { type ScoredTerm, type TermTotals, trends } from './trends.ts';
import type { ContactFact } from './types.ts';

const log = createLogger('analytics');

/** Customer text as another context hands it over, read in process and never stored. */
export interface CustomerText {
  text: string;
  customerId: string;
  at: string;
}

/** Where customer text is read from when an event names it (each may be absent). */
export interface TopicSources {
  /** An inbound message by id; undefined when gone or not from the customer. */
  message?: (messageId: string) => Promise<CustomerText | undefined>;
  /** A ticket's subject by id. */
  ticket?: (ticketId: string) => Promise<CustomerText | undefined>;
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
}

export interface TopicQuery {
  days: number;
  baseline: number;
  limit: number;
}

/** A term as reported: counts, distinct customers in the window, signed G², share ratio, daily counts. */
export interface TermView {
  term: string;
  window: number;
  baseline: number;
  customers: number;
  score: number;
  ratio: number;
  series: number[];
}

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

const RECENT = 2000;

/**
 * Topic mining: counts the terms of customers' messages and ticket subjects
 * per day (aggregates only: the text is read in process, segmented and
 * dropped), and reports emerging, rising and falling terms.
 */
export class TopicMiner {
  #store: TopicStore;
  #opts: TopicOptions & { now: () => Date; k: number; retentionDays: number };
  #chain: Promise<void> = Promise.resolve();
  #offs: Array<() => void> = [];
  #recent = new Set<string>();
  #prunedFor = '';
  #closed = false;

  constructor(db: DocStore, options: TopicOptions) {
    this.#store = new TopicStore(db);
    this.#opts = {
      ...options,
      now: options.now ?? (() => new Date()),
      k: options.k ?? 3,
      retentionDays: options.retentionDays ?? 128,
    };
  }

  /** Follows inbound messages, new tickets and shredded customers on the bus. Idempotent. */
  start(): void {
    const bus = this.#opts.bus;
    if (!bus || this.#offs.length || this.#closed) return;
    this.#offs.push(
      bus.subscribe('conversation.message_received', (e) => {
        if (e.data.direction === 'in') this.#fromSource(e, 'message', e.data.messageId);
      }),
      // A ticket without a customer has no customer words to count (and need not be read).
      bus.subscribe('ticket.created', (e) => {
        if (e.data.customerId) this.#fromSource(e, 'ticket', e.data.ticketId);
      }),
      bus.subscribe('customer.shredded', (e) => {
        this.#enqueue(async () => {
          const n = await this.#store.forget(this.#opts.pseudonym(e.data.customerId));
          log.info(`shredded customer removed from term counts [documents:${n}]`);
        });
      }),
    );
  }

  // The bus awaits its handlers and a message's publisher holds the thread's lock, so reading and
  // counting are queued rather than awaited: a chat message is not held up by topic mining.
  #fromSource(e: DomainEvent, kind: keyof TopicSources, id: string): void {
    const read = this.#opts.sources?.[kind];
    if (!read || this.#recent.has(`${kind}:${id}`)) return;
    this.#recent.add(`${kind}:${id}`);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.values().next().value as string);
    this.#enqueue(async () => {
      const input = await read(id);
      if (input) await this.#count(input);
    }, e.type);
  }

  #enqueue(work: () => Promise<void>, what = 'topics'): Promise<void> {
    const run = this.#chain.then(() => (this.#closed ? undefined : work()));
    this.#chain = run.catch((err) => log.error(`topic counting failed [type:${what}]`, { err }));
    return this.#chain;
  }

  /** Counts one piece of customer text (serialised with the bus's); the text itself is not kept. */
  observe(input: CustomerText): Promise<void> {
    return this.#enqueue(() => this.#count(input));
  }

  async #count(input: CustomerText): Promise<void> {
    if (!input.customerId) return;
    const today = dayOf(this.#opts.now());
    if (this.#prunedFor !== today) {
      this.#prunedFor = today;
      await this.#store.prune(dayOf(midnightBefore(this.#opts.now(), this.#opts.retentionDays)));
    }
    await this.#store.add(dayOf(input.at), topicTerms(input.text), this.#opts.pseudonym(input.customerId));
  }

  /** Resolves once everything handed in so far is counted. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  /** Terms of the last `days` days against the `baseline` days before them, with the label trends. */
  async topics(q: TopicQuery): Promise<TopicReport> {
    const now = this.#opts.now();
    const days = dayRange(now, q.days + q.baseline);
    const windowDays = days.slice(q.baseline);
    const first = days[0] as string;
    const windowFrom = windowDays[0] as string;
    const last = days.at(-1) as string;
    const index = new Map(days.map((d, i) => [d, i]));
    const acc = new Map<string, { totals: TermTotals; now: Set<string>; before: Set<string> }>();
    for (const row of await this.#store.between(first, last)) {
      const i = index.get(row.day);
      if (i === undefined) continue;
      let a = acc.get(row.term);
      if (!a) {
        const totals = {
          term: row.term,
          window: 0,
          baseline: 0,
          windowCustomers: 0,
          baselineCustomers: 0,
          series: new Array<number>(days.length).fill(0),
        };
        a = { totals, now: new Set(), before: new Set() };
        acc.set(row.term, a);
      }
      a.totals.series[i] = (a.totals.series[i] ?? 0) + row.n;
      const inWindow = row.day >= windowFrom;
      if (inWindow) a.totals.window += row.n;
      else a.totals.baseline += row.n;
      for (const p of row.p) (inWindow ? a.now : a.before).add(p);
    }
    const rows = [...acc.values()].map(({ totals, now: w, before }) => ({
      ...totals,
      windowCustomers: w.size,
      baselineCustomers: before.size,
    }));
    const result = trends(rows, { k: this.#opts.k, limit: q.limit });
    const round = (x: number) => Math.round(x * 100) / 100;
    const view = (list: ScoredTerm[]): TermView[] =>
      list.map((t) => ({
        term: t.term,
        window: t.window,
        baseline: t.baseline,
        customers: t.windowCustomers,
        score: round(t.score),
        ratio: round(t.ratio),
        series: t.series,
      }));
    const from = midnightBefore(now, q.days - 1).toISOString();
    const facts = this.#opts.facts ? await this.#opts.facts(from, midnightBefore(now, -1).toISOString()) : [];
    return {
      k: this.#opts.k,
      days,
      window: { from: windowFrom, to: last },
      baseline: { from: first, to: days[q.baseline - 1] ?? first },
      emerging: view(result.emerging),
      rising: view(result.rising),
      falling: view(result.falling),
      top: view(result.top),
      labels: labelTrends(facts, windowDays),
    };
  }

  /** Idempotent. Stops following the bus and lets queued counting finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs.splice(0)) off();
    await this.#chain.catch(() => undefined);
  }
}
