import { dayOf } from './days.ts';
import type { ContactFact } from './types.ts';

export interface LabelTrend {
  label: string;
  total: number;
  /** Contacts per day over the window, oldest first. */
  series: number[];
}

const MAX_LABELS = 20;

function countBy(
  facts: readonly ContactFact[],
  days: readonly string[],
  pick: (f: ContactFact) => string | undefined,
  timeZone?: string,
) {
  const index = new Map(days.map((d, i) => [d, i]));
  const by = new Map<string, number[]>();
  for (const f of facts) {
    const label = pick(f);
    const i = index.get(dayOf(f.queuedAt, timeZone));
    if (!label || i === undefined) continue;
    const series = by.get(label) ?? new Array<number>(days.length).fill(0);
    series[i] = (series[i] ?? 0) + 1;
    by.set(label, series);
  }
  return [...by]
    .map(([label, series]) => ({ label, total: series.reduce((a, b) => a + b, 0), series }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label))
    .slice(0, MAX_LABELS);
}

/**
 * Contacts per day by the intent the bot or a flow recognised and by the
 * agent's wrap-up code: the operators' own topic labels, beside mined terms.
 * @example labelTrends(facts, ['2024-03-01']).intent[0] // { label: 'card_lost', total: 4, series: [4] }
 */
export function labelTrends(
  facts: readonly ContactFact[],
  days: readonly string[],
  timeZone?: string,
): { intent: LabelTrend[]; wrapUp: LabelTrend[] } {
  return {
    intent: countBy(
      facts,
      days,
      (f) => (f.intent && f.intent !== 'unknown' ? f.intent : undefined),
      timeZone,
    ),
    wrapUp: countBy(facts, days, (f) => f.wrapUpCode, timeZone),
  };
}
