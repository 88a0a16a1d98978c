import { OutOfRangeError } from '../contracts/index.ts';
import { type ContactFact, type Counters, INTERVAL_MS, type IntervalRow, type Kpis } from './types.ts';

/** ISO start of the 15-minute interval holding `iso`. */
export function bucketOf(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new OutOfRangeError('ANALYTICS_BAD_RANGE', `not a timestamp: ${iso}`);
  return new Date(Math.floor(ms / INTERVAL_MS) * INTERVAL_MS).toISOString();
}

export function emptyCounters(): Counters {
  return {
    offered: 0,
    answered: 0,
    answeredWithin: 0,
    abandoned: 0,
    abandonedAfter: 0,
    closedUnanswered: 0,
    waitSeconds: 0,
    maxWaitSeconds: 0,
    handled: 0,
    talkSeconds: 0,
    wrapSeconds: 0,
    csatCount: 0,
    csatSum: 0,
    csatPositive: 0,
  };
}

const secs = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * Folds one interval's contact facts into rows per queue × channel. Every
 * contact counts in the interval it ARRIVED in (its first `queuedAt`), also
 * for handle time and CSAT, so an interval's numbers describe one cohort.
 */
export function foldFacts(
  bucket: string,
  facts: readonly ContactFact[],
  options: { thresholdSeconds: number },
): IntervalRow[] {
  const rows = new Map<string, IntervalRow>();
  for (const f of facts) {
    const key = `${f.queue}\u0000${f.channel}`;
    let r = rows.get(key);
    if (!r) {
      r = { bucket, queue: f.queue, channel: f.channel, ...emptyCounters() };
      rows.set(key, r);
    }
    r.offered++;
    if (f.activeAt) {
      const wait = secs(f.queuedAt, f.activeAt);
      r.answered++;
      r.waitSeconds += wait;
      r.maxWaitSeconds = Math.max(r.maxWaitSeconds, wait);
      if (wait <= options.thresholdSeconds) r.answeredWithin++;
      if (f.closedAt) {
        const talkEnd = f.wrapAt ?? f.closedAt;
        r.handled++;
        r.talkSeconds += secs(f.activeAt, talkEnd);
        r.wrapSeconds += f.wrapAt ? secs(f.wrapAt, f.closedAt) : 0;
      }
    } else if (f.abandonedAt) {
      const wait = secs(f.queuedAt, f.abandonedAt);
      r.abandoned++;
      r.maxWaitSeconds = Math.max(r.maxWaitSeconds, wait);
      if (wait > options.thresholdSeconds) r.abandonedAfter++;
    } else if (f.closedAt) {
      r.closedUnanswered++;
    }
    if (f.csat !== undefined) {
      r.csatCount++;
      r.csatSum += f.csat;
      if (f.csat >= 4) r.csatPositive++;
    }
  }
  return [...rows.values()];
}

/** Sums counters (max for the longest wait). */
export function sumCounters(rows: Iterable<Counters>): Counters {
  const out = emptyCounters();
  for (const r of rows)
    for (const k of Object.keys(out) as Array<keyof Counters>)
      out[k] = k === 'maxWaitSeconds' ? Math.max(out[k], r[k]) : out[k] + r[k];
  return out;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/**
 * KPIs from counters. Formulas (also in the README of this context):
 * - answer rate 接通率 = answered / offered (offered = contacts that entered a queue)
 * - abandonment 放弃率 = abandoned / offered
 * - service level 服务水平 = answered within T / (answered + abandoned after T):
 *   abandons within T are neither good nor bad (the "short abandons excluded" variant)
 * - AHT 平均处理时长 = (talk + wrap-up) / handled, handled = answered and closed
 * - ASA = wait of answered / answered
 * - CSAT 满意度 = mean score; positive rate = scores 4–5 / scores
 */
export function kpisOf(c: Counters, thresholdSeconds: number): Kpis {
  return {
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    handled: c.handled,
    answerRate: ratio(c.answered, c.offered),
    abandonRate: ratio(c.abandoned, c.offered),
    serviceLevel: ratio(c.answeredWithin, c.answered + c.abandonedAfter),
    serviceLevelSeconds: thresholdSeconds,
    ahtSeconds: ratio(c.talkSeconds + c.wrapSeconds, c.handled),
    asaSeconds: ratio(c.waitSeconds, c.answered),
    maxWaitSeconds: c.maxWaitSeconds,
    csatAverage: ratio(c.csatSum, c.csatCount),
    csatPositiveRate: ratio(c.csatPositive, c.csatCount),
    csatCount: c.csatCount,
  };
}
