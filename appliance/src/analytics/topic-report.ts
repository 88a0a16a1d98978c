import { type CollocationOptions, isCollocation, wordsOf } from './phrases.ts';
import type { TermDay } from './topic-store.ts';
import { type ScoredTerm, type TermTotals, trends } from './trends.ts';

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

export interface TermLists {
  emerging: TermView[];
  rising: TermView[];
  falling: TermView[];
  top: TermView[];
}

interface Acc {
  totals: TermTotals;
  now: Set<string>;
  before: Set<string>;
}

/** Sums day rows per term over `days` (baseline days then window days). */
function accumulate(rows: readonly TermDay[], days: readonly string[], windowFrom: string): Map<string, Acc> {
  const index = new Map(days.map((d, i) => [d, i]));
  const acc = new Map<string, Acc>();
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    let a = acc.get(row.term);
    if (!a) {
      const series = new Array<number>(days.length).fill(0);
      const totals = {
        term: row.term,
        window: 0,
        baseline: 0,
        windowCustomers: 0,
        baselineCustomers: 0,
        series,
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
  return acc;
}

const used = (a: Acc | undefined) => (a ? a.totals.window + a.totals.baseline : 0);

/**
 * Keeps the candidate phrases that are collocations over the whole period
 * (`messages` = messages counted in it) and drops the others. Rule against
 * double counting: a kept phrase's uses are taken off its two words (per
 * day, and its customers off theirs), so "card" in the lists means "card"
 * outside "credit card", and a word used almost only inside the phrase
 * falls under the count / k thresholds and leaves the lists to the phrase.
 * A message using two kept phrases that share a word ("credit card fee")
 * subtracts that word twice; the floor at 0 keeps the error to an
 * undercount, never an invented use. Decisions are made on the words'
 * full counts, before any subtraction, so the order of phrases is moot.
 */
export function keepCollocations(
  acc: Map<string, Acc>,
  messages: number,
  options: CollocationOptions = {},
): void {
  const kept: Array<[Acc, Acc, Acc]> = [];
  for (const [term, phrase] of acc) {
    const words = wordsOf(term);
    if (!words) continue;
    const a = acc.get(words[0]);
    const b = acc.get(words[1]);
    const ab = used(phrase);
    const counts = { a: used(a), b: used(b), ab };
    // Days counted before day totals existed (an upgrade) make N short; never below what the words prove.
    const n = Math.max(messages, counts.a + counts.b - ab);
    // A phrase whose word was cut (the 64-term cap) or pruned is no evidence.
    const valid = a && b && ab <= Math.min(counts.a, counts.b);
    if (valid && isCollocation({ ...counts, n }, options)) kept.push([phrase, a, b]);
    else acc.delete(term);
  }
  for (const [phrase, ...words] of kept) {
    for (const w of words) {
      const t = w.totals;
      t.series = t.series.map((n, i) => Math.max(0, n - (phrase.totals.series[i] ?? 0)));
      t.window = Math.max(0, t.window - phrase.totals.window);
      t.baseline = Math.max(0, t.baseline - phrase.totals.baseline);
      for (const p of phrase.now) w.now.delete(p);
      for (const p of phrase.before) w.before.delete(p);
    }
  }
}

/** Scores and lists the terms (and kept phrases) of day rows. */
export function termLists(
  rows: readonly TermDay[],
  q: { days: readonly string[]; windowFrom: string; messages: number; k: number; limit: number },
  collocations: CollocationOptions = {},
): TermLists {
  const acc = accumulate(rows, q.days, q.windowFrom);
  keepCollocations(acc, q.messages, collocations);
  const totals = [...acc.values()].map(({ totals, now, before }) => ({
    ...totals,
    windowCustomers: now.size,
    baselineCustomers: before.size,
  }));
  const result = trends(totals, { k: q.k, limit: q.limit });
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
  return {
    emerging: view(result.emerging),
    rising: view(result.rising),
    falling: view(result.falling),
    top: view(result.top),
  };
}
