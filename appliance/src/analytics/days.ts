/** Reporting days are local calendar days (the branch's time zone), as `YYYY-MM-DD`. */
export function dayOf(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`Cannot take the day of ${String(at)}: not a time`);
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}

/** Local midnight `back` days before the day holding `now`. */
export function midnightBefore(now: Date, back: number): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - back);
  return d;
}

/** The `count` days ending `endBack` days before today, oldest first. */
export function dayRange(now: Date, count: number, endBack = 0): string[] {
  const out: string[] = [];
  for (let i = count - 1 + endBack; i >= endBack; i--) out.push(dayOf(midnightBefore(now, i)));
  return out;
}
