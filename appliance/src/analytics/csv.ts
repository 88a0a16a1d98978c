import type { IntervalRow, Kpis } from './types.ts';

const COLUMNS = [
  'bucket',
  'queue',
  'channel',
  'offered',
  'answered',
  'abandoned',
  'handled',
  'answer_rate',
  'abandon_rate',
  'service_level',
  'aht_seconds',
  'asa_seconds',
  'max_wait_seconds',
  'csat_average',
  'csat_positive_rate',
] as const;

/** Quotes a cell when needed and defuses spreadsheet formulas (=, +, -, @). */
function cell(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 10_000) / 10_000) : v;
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Interval report as CSV (RFC 4180, header row, ratios as fractions). */
export function intervalsCsv(rows: Array<IntervalRow & { kpis: Kpis }>): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) {
    const k = r.kpis;
    lines.push(
      [
        r.bucket,
        r.queue,
        r.channel,
        r.offered,
        r.answered,
        r.abandoned,
        r.handled,
        k.answerRate,
        k.abandonRate,
        k.serviceLevel,
        k.ahtSeconds,
        k.asaSeconds,
        k.maxWaitSeconds,
        k.csatAverage,
        k.csatPositiveRate,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
