import { InvalidStateError } from '../contracts/index.ts';
import type { DomainEvent } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import { type BackfillState, TopicBackfill } from './backfill.ts';
import { dayOf, dayRange, midnightBefore, serverTimeZone } from './days.ts';
import { labelTrends } from './labels.ts';
import { phraseCandidates } from './phrases.ts';
import { distinctTerms, topicTokens } from './terms.ts';
import { termLists } from './topic-report.ts';
import { TopicStore } from './topic-store.ts';
import type { CustomerText, SourcedText, TopicOptions, TopicQuery, TopicReport } from './topic-types.ts';

export type {
  CustomerText,
  SourcedText,
  TermView,
  TopicOptions,
  TopicQuery,
  TopicReport,
  TopicSources,
} from './topic-types.ts';

const log = createLogger('analytics');

const RECENT = 2000;

type Resolved = TopicOptions & {
  now: () => Date;
  k: number;
  retentionDays: number;
  timeZone: string;
  ticketBatchMs: number;
};

/** When source marks began; text before it may have been counted live without one (see `#countOnce`). */
interface Epoch {
  marksSince: string;
  legacyFrom?: string;
}

/**
 * Topic mining: counts the terms of customers' messages and ticket subjects
 * per day (aggregates only: the text is read in process, segmented and
 * dropped), and reports emerging, rising and falling terms.
 */
export class TopicMiner {
  #store: TopicStore;
  #opts: Resolved;
  #chain: Promise<void> = Promise.resolve();
  #offs: Array<() => void> = [];
  #recent = new Set<string>();
  #prunedFor = '';
  #closed = false;
  #epoch: Epoch | undefined;
  #pendingTickets = new Set<string>();
  #ticketFlush: Promise<void> | undefined;
  #releaseTickets: (() => void) | undefined;
  #backfill: TopicBackfill;

  constructor(db: DocStore, options: TopicOptions) {
    this.#store = new TopicStore(db);
    this.#opts = {
      ...options,
      now: options.now ?? (() => new Date()),
      k: options.k ?? 3,
      retentionDays: options.retentionDays ?? 128,
      timeZone: options.timeZone ?? serverTimeZone(),
      ticketBatchMs: options.ticketBatchMs ?? 1000,
    };
    this.#backfill = new TopicBackfill(this.#store, {
      sources: options.sources ?? {},
      count: (items) => this.#enqueueCount(items),
      now: this.#opts.now,
      ...(options.backfillPage ? { page: options.backfillPage } : {}),
    });
  }

  /**
   * Follows inbound messages, new tickets and shredded customers on the bus, and resumes a
   * backfill a restart interrupted. Idempotent.
   */
  start(): void {
    const bus = this.#opts.bus;
    if (!bus || this.#offs.length || this.#closed) return;
    this.#backfill.resume();
    this.#offs.push(
      bus.subscribe('conversation.message_received', (e) => {
        if (e.data.direction === 'in') this.#fromMessage(e, e.data.messageId);
      }),
      // A ticket without a customer has no customer words to count (and need not be read).
      bus.subscribe('ticket.created', (e) => {
        if (e.data.customerId) this.#queueTicket(e.data.ticketId);
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
  #fromMessage(e: DomainEvent, id: string): void {
    const read = this.#opts.sources?.message;
    if (!read || this.#recent.has(id)) return;
    this.#recent.add(id);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.values().next().value as string);
    this.#enqueue(async () => {
      const input = await read(id);
      if (input) await this.#countOnce({ ...input, source: `message:${id}` });
    }, e.type);
  }

  // No ticket event carries the subject (ticket.created has ids only), so subjects are read, but in
  // batches: every ticket created within `ticketBatchMs` is read at once, under one audit record.
  #queueTicket(id: string): void {
    const read = this.#opts.sources?.tickets;
    if (!read) return;
    this.#pendingTickets.add(id);
    if (this.#ticketFlush) return;
    const timer = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.#opts.ticketBatchMs);
      this.#releaseTickets = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#ticketFlush = timer.then(() => {
      this.#ticketFlush = undefined;
      this.#releaseTickets = undefined;
      const ids = [...this.#pendingTickets];
      this.#pendingTickets.clear();
      // On close the batch is dropped, not lost: the sources stay unmarked for a backfill.
      if (this.#closed) return;
      return this.#enqueue(async () => {
        for (const item of await read(ids)) await this.#countOnce(item);
      }, 'ticket.created');
    });
  }

  #enqueue(work: () => Promise<void>, what = 'topics'): Promise<void> {
    const run = this.#chain.then(() => (this.#closed ? undefined : work()));
    this.#chain = run.catch((err) => log.error(`topic counting failed [type:${what}]`, { err }));
    return this.#chain;
  }

  // The backfill's pages run on the same queue as live events; its errors reach the backfill.
  #enqueueCount(items: readonly SourcedText[]): Promise<{ counted: number; skipped: number }> {
    const run = this.#chain.then(async () => {
      if (this.#closed) throw new Error('Cannot count: the topic miner is closed');
      let counted = 0;
      for (const item of items) if (await this.#countOnce(item, { backfill: true })) counted++;
      return { counted, skipped: items.length - counted };
    });
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Counts one piece of customer text (serialised with the bus's); the text itself is not kept. */
  observe(input: CustomerText): Promise<void> {
    return this.#enqueue(async () => {
      await this.#count(input);
    });
  }

  /**
   * Counts a source unless already counted (its mark). A backfill also skips text from the time the
   * miner ran before marks existed (`legacyFrom` to `marksSince`): that was counted live, unmarked.
   * The upgrade day itself is skipped whole, trading a few uncounted messages for no double counts.
   */
  async #countOnce(item: SourcedText, how: { backfill?: boolean } = {}): Promise<boolean> {
    const epoch = await this.#epochOf();
    if (await this.#store.counted(item.source)) return false;
    if (how.backfill) {
      const day = dayOf(item.at, this.#opts.timeZone);
      if (
        day <
        dayOf(
          midnightBefore(this.#opts.now(), this.#opts.retentionDays, this.#opts.timeZone),
          this.#opts.timeZone,
        )
      )
        return false;
      if (epoch.legacyFrom && day >= epoch.legacyFrom && item.at < epoch.marksSince) return false;
    }
    return this.#count(item, item.source);
  }

  async #epochOf(): Promise<Epoch> {
    if (this.#epoch) return this.#epoch;
    const stored = await this.#store.meta<Epoch>('epoch');
    if (stored) {
      this.#epoch = {
        marksSince: stored.marksSince,
        ...(stored.legacyFrom ? { legacyFrom: stored.legacyFrom } : {}),
      };
      return this.#epoch;
    }
    const legacyFrom = await this.#store.firstDay();
    const epoch: Epoch = {
      marksSince: this.#opts.now().toISOString(),
      ...(legacyFrom ? { legacyFrom } : {}),
    };
    await this.#store.putMeta('epoch', epoch);
    this.#epoch = epoch;
    return epoch;
  }

  async #count(input: CustomerText, source?: string): Promise<boolean> {
    if (!input.customerId) return false;
    const { timeZone } = this.#opts;
    const today = dayOf(this.#opts.now(), timeZone);
    if (this.#prunedFor !== today) {
      this.#prunedFor = today;
      await this.#store.prune(
        dayOf(midnightBefore(this.#opts.now(), this.#opts.retentionDays, timeZone), timeZone),
      );
    }
    const tokens = topicTokens(input.text);
    const terms = [...distinctTerms(tokens), ...phraseCandidates(tokens)];
    await this.#store.add(dayOf(input.at, timeZone), terms, this.#opts.pseudonym(input.customerId), source);
    return true;
  }

  /**
   * Starts a backfill run (or returns the one running): every existing conversation message and
   * ticket subject goes through the same counting, each source at most once. One audit record per run.
   */
  backfill(by: { userId: string; source?: string }): Promise<BackfillState> {
    if (this.#closed) throw new InvalidStateError('Cannot backfill: the topic miner is closed');
    return this.#backfill.start(by);
  }

  /** The latest backfill run's progress, if any. */
  backfillState(): Promise<BackfillState | undefined> {
    return this.#backfill.state();
  }

  /** Resolves once everything handed in so far is counted (not a backfill: see `backfillState`). */
  async idle(): Promise<void> {
    // A batch of new tickets still gathering is read now rather than at the end of its window.
    while (this.#ticketFlush) {
      this.#releaseTickets?.();
      await this.#ticketFlush;
    }
    await this.#chain;
  }

  /** Terms of the last `days` days against the `baseline` days before them, with the label trends. */
  async topics(q: TopicQuery): Promise<TopicReport> {
    const now = this.#opts.now();
    const { timeZone } = this.#opts;
    const days = dayRange(now, q.days + q.baseline, 0, timeZone);
    const windowDays = days.slice(q.baseline);
    const first = days[0] as string;
    const windowFrom = windowDays[0] as string;
    const last = days.at(-1) as string;
    const lists = termLists(
      await this.#store.between(first, last),
      {
        days,
        windowFrom,
        messages: await this.#store.messages(first, last),
        k: this.#opts.k,
        limit: q.limit,
      },
      this.#opts.collocations,
    );
    const from = midnightBefore(now, q.days - 1, timeZone).toISOString();
    const to = midnightBefore(now, -1, timeZone).toISOString();
    const facts = this.#opts.facts ? await this.#opts.facts(from, to) : [];
    return {
      k: this.#opts.k,
      days,
      window: { from: windowFrom, to: last },
      baseline: { from: first, to: days[q.baseline - 1] ?? first },
      ...lists,
      labels: labelTrends(facts, windowDays, timeZone),
    };
  }

  /** Idempotent. Stops following the bus and lets queued counting finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs.splice(0)) off();
    this.#releaseTickets?.();
    await this.#backfill.close();
    await this.idle();
  }
}
