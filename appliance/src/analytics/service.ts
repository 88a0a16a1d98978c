import type { DomainEvent, EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import { type BehaviourReport, customerBehaviour, REPEAT_WINDOW_HOURS } from './behaviour.ts';
import { churnRisk } from './churn.ts';
import { midnightBefore, serverTimeZone } from './days.ts';
import { requiredAgents } from './erlang.ts';
import { AnalyticsError } from './errors.ts';
import { type ForecastResult, forecastVolume } from './forecast.ts';
import { ingest } from './ingest.ts';
import { bucketOf, foldFacts, kpisOf, sumCounters } from './kpi.ts';
import { LiveState } from './live.ts';
import { AnalyticsStore } from './store.ts';
import {
  type ChurnRisk,
  type ContactFact,
  INTERVAL_MS,
  type IntervalRow,
  type Kpis,
  type WallboardSnapshot,
} from './types.ts';

const log = createLogger('analytics');
const DAY_MS = 86_400_000;

export interface AnalyticsOptions {
  bus?: EventBus;
  now?: () => Date;
  /** Service-level threshold T in seconds (default 20: "answered within 20 s"). */
  thresholdSeconds?: number;
  /** IANA zone whose calendar days are the reporting days (default: the server's zone). */
  timeZone?: string;
  /** Start of the reporting day holding `now` (default: midnight in `timeZone`). */
  dayStart?: (now: Date) => Date;
  /** Minimum gap between wallboard pushes (default 1000 ms). */
  throttleMs?: number;
}

export interface IntervalQuery {
  from: string;
  to: string;
  queue?: string;
  channel?: string;
}

/**
 * Folds contact, routing, agent and ticket events into 15-minute interval
 * counters (durable, replay-safe), keeps live wallboard state, and answers
 * reports, forecasts, staffing and churn-risk questions.
 */
export class AnalyticsService {
  #store: AnalyticsStore;
  #live = new LiveState();
  #opts: Required<Omit<AnalyticsOptions, 'bus'>> & { bus?: EventBus };
  /** Today's interval rows by bucket, for the wallboard. */
  #today = new Map<string, IntervalRow[]>();
  #chain: Promise<void> = Promise.resolve();
  #off: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastPush = 0;
  #closed = false;

  constructor(db: DocStore, options: AnalyticsOptions = {}) {
    this.#store = new AnalyticsStore(db);
    const timeZone = options.timeZone ?? serverTimeZone();
    this.#opts = {
      now: options.now ?? (() => new Date()),
      thresholdSeconds: options.thresholdSeconds ?? 20,
      timeZone,
      dayStart: options.dayStart ?? ((now) => midnightBefore(now, 0, timeZone)),
      throttleMs: options.throttleMs ?? 1000,
      ...(options.bus ? { bus: options.bus } : {}),
    };
  }

  /** Loads today's rows and open contacts, then follows the bus. Idempotent. */
  async start(): Promise<void> {
    if (this.#off || this.#closed) return;
    const since = this.#since().toISOString();
    for (const row of await this.#store.intervals(since, '9999')) {
      this.#today.set(row.bucket, [...(this.#today.get(row.bucket) ?? []), row]);
    }
    const from = bucketOf(new Date(this.#opts.now().getTime() - DAY_MS).toISOString());
    for (const f of await this.#store.openFacts(from))
      this.#live.contact(f.contactId, f.state, {
        queuedAt: f.queuedAt,
        queue: f.queue,
        ...(f.agentId ? { agentId: f.agentId } : {}),
      });
    this.#off = this.#opts.bus?.subscribe('*', (e) => this.apply(e));
  }

  /** Folds one event (serialised with every other); safe to call again with the same event. */
  apply(event: DomainEvent): Promise<void> {
    if (event.type.startsWith('analytics.')) return Promise.resolve();
    const run = this.#chain.then(async () => {
      if (this.#closed) return;
      const { bucket, changed } = await ingest(this.#store, this.#live, event);
      if (bucket) await this.#refold(bucket);
      if (changed) this.#schedulePush();
    });
    this.#chain = run.catch((err) => log.error(`folding failed [type:${event.type}]`, { err }));
    return run;
  }

  /** Resolves once every event handed in so far is folded. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  async #refold(bucket: string): Promise<void> {
    const rows = foldFacts(bucket, await this.#store.factsOf(bucket), {
      thresholdSeconds: this.#opts.thresholdSeconds,
    });
    await this.#store.putIntervals(bucket, rows);
    if (bucket >= this.#since().toISOString()) this.#today.set(bucket, rows);
  }

  #since(): Date {
    return this.#opts.dayStart(this.#opts.now());
  }

  #kpis(rows: Iterable<IntervalRow>): Kpis {
    return kpisOf(sumCounters(rows), this.#opts.thresholdSeconds);
  }

  /** Today's KPIs plus what is happening now. */
  wallboard(): WallboardSnapshot {
    const now = this.#opts.now();
    const since = this.#since().toISOString();
    for (const b of this.#today.keys()) if (b < since) this.#today.delete(b);
    const rows = [...this.#today.values()].flat();
    const waitingNow = this.#live.waiting();
    const queues = new Set([...rows.map((r) => r.queue), ...this.#live.queues()]);
    return {
      at: now.toISOString(),
      since,
      kpis: this.#kpis(rows),
      waiting: waitingNow.count,
      oldestQueuedAt: waitingNow.oldestQueuedAt,
      longestWaitSeconds: waitingNow.oldestQueuedAt
        ? Math.max(0, Math.round((now.getTime() - Date.parse(waitingNow.oldestQueuedAt)) / 1000))
        : 0,
      unroutable: this.#live.unroutableWaiting(),
      agents: this.#live.agents(),
      byQueue: [...queues].sort().map((queue) => ({
        queue,
        waiting: this.#live.waiting(queue).count,
        kpis: this.#kpis(rows.filter((r) => r.queue === queue)),
      })),
    };
  }

  #schedulePush(): void {
    const bus = this.#opts.bus;
    if (!bus || this.#timer || this.#closed) return;
    const wait = Math.max(0, this.#lastPush + this.#opts.throttleMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastPush = Date.now();
      void bus.publish('analytics.wallboard_updated', this.wallboard()).catch(() => undefined);
    }, wait);
  }

  /** Interval rows with their KPIs, oldest first. */
  async intervals(q: IntervalQuery): Promise<Array<IntervalRow & { kpis: Kpis }>> {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
      throw new AnalyticsError('ANALYTICS_BAD_RANGE', 'from and to must be timestamps with from < to');
    if (to - from > 92 * DAY_MS)
      throw new AnalyticsError('ANALYTICS_BAD_RANGE', 'A report covers at most 92 days');
    const rows = await this.#store.intervals(bucketOf(q.from), new Date(to).toISOString());
    return rows
      .filter(
        (r) =>
          (q.queue === undefined || r.queue === q.queue) &&
          (q.channel === undefined || r.channel === q.channel),
      )
      .map((r) => ({ ...r, kpis: kpisOf(r, this.#opts.thresholdSeconds) }));
  }

  /** Offered volume per interval for the last `days`, then a forecast of the next `horizon` intervals with staffing. */
  async forecast(options: {
    days: number;
    horizon: number;
    queue?: string;
    channel?: string;
    targetLevel?: number;
    targetSeconds?: number;
    shrinkage?: number;
    ahtSeconds?: number;
  }): Promise<{
    method: ForecastResult['method'];
    ahtSeconds: number;
    intervals: Array<{ bucket: string; volume: number; agents: number; scheduled: number }>;
  }> {
    const end = Date.parse(bucketOf(this.#opts.now().toISOString()));
    const start = end - options.days * DAY_MS;
    const rows = await this.intervals({
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      ...(options.queue ? { queue: options.queue } : {}),
      ...(options.channel ? { channel: options.channel } : {}),
    });
    const n = Math.round((end - start) / INTERVAL_MS);
    const series = new Array<number>(n).fill(0);
    for (const r of rows) {
      const i = Math.round((Date.parse(r.bucket) - start) / INTERVAL_MS);
      if (i >= 0 && i < n) series[i] = (series[i] ?? 0) + r.offered;
    }
    const fc = forecastVolume(series, { season: DAY_MS / INTERVAL_MS, horizon: options.horizon });
    const aht = options.ahtSeconds ?? this.#kpis(rows).ahtSeconds ?? 300;
    return {
      method: fc.method,
      ahtSeconds: aht,
      intervals: fc.values.map((volume, h) => {
        const s = requiredAgents({
          volume,
          intervalSeconds: INTERVAL_MS / 1000,
          ahtSeconds: aht,
          targetLevel: options.targetLevel ?? 0.8,
          targetSeconds: options.targetSeconds ?? this.#opts.thresholdSeconds,
          shrinkage: options.shrinkage ?? 0.3,
        });
        return {
          bucket: new Date(end + h * INTERVAL_MS).toISOString(),
          volume,
          agents: s.agents,
          scheduled: s.scheduled,
        };
      }),
    };
  }

  /** Contact facts that arrived in `[from, to)` (ISO times). */
  async facts(from: string, to: string): Promise<ContactFact[]> {
    return this.#store.factsBetween(bucketOf(from), to);
  }

  /** Channel mix, repeat contacts, channel switching and contacts per customer over the last `days` days. */
  async behaviour(options: { days: number }): Promise<BehaviourReport> {
    const now = this.#opts.now();
    const { timeZone } = this.#opts;
    const from = midnightBefore(now, options.days - 1, timeZone);
    const to = midnightBefore(now, -1, timeZone).toISOString();
    const lookback = new Date(from.getTime() - REPEAT_WINDOW_HOURS * 3_600_000).toISOString();
    return customerBehaviour(await this.facts(lookback, to), { from: from.toISOString(), to });
  }

  /** Customers by churn risk, highest first. */
  async churnList(options: { limit: number; minScore?: number }): Promise<ChurnRisk[]> {
    const now = this.#opts.now();
    return (await this.#store.allSignals())
      .map((s) => churnRisk(s, now))
      .filter((r) => r.score >= (options.minScore ?? 1))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.limit);
  }

  async churnOf(customerId: string): Promise<ChurnRisk> {
    const s = await this.#store.signals(customerId);
    if (!s)
      throw new AnalyticsError('ANALYTICS_NOT_FOUND', 'No contacts recorded for this customer', {
        status: 404,
      });
    return churnRisk(s, this.#opts.now());
  }

  /** Idempotent. Stops following the bus and cancels a pending push. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#off?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain.catch(() => undefined);
  }
}
