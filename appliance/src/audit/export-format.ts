import type { AuditRecord } from './types.ts';

export const CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'action',
  'target',
  'outcome',
  'source',
  'details',
  'prevHash',
  'hash',
] as const;

/**
 * One RFC 4180 cell. Cells a spreadsheet would run as a formula (= + - @,
 * also tab/CR) get a leading single quote first.
 */
export function csvCell(value: unknown): string {
  let s =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(records: readonly AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJsonl(records: readonly AuditRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
