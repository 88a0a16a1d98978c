/**
 * Reporting days are calendar days of the branch's time zone, as `YYYY-MM-DD`.
 * The zone is explicit (an IANA name read through Intl.DateTimeFormat), not
 * the process's TZ, so a box shipped with TZ=UTC still closes its days at the
 * branch's midnight. Without a zone, the server's own zone is used.
 */

const SERVER_ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone of this server (what `BRANCHLINE_TIMEZONE` defaults to). */
export function serverTimeZone(): string {
  return SERVER_ZONE;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of `d` in `timeZone`. */
function wall(d: Date, timeZone: string) {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(d))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return {
    y: out['year'] ?? 1970,
    m: out['month'] ?? 1,
    d: out['day'] ?? 1,
    ms: Date.UTC(
      out['year'] ?? 1970,
      (out['month'] ?? 1) - 1,
      out['day'] ?? 1,
      out['hour'] ?? 0,
      out['minute'] ?? 0,
      out['second'] ?? 0,
    ),
  };
}

function toDate(at: Date | string): Date {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`Cannot take the day of ${String(at)}: not a time`);
  return d;
}

/**
 * The calendar day holding `at` in `timeZone` (default: the server's zone).
 * @example dayOf('2024-03-30T23:30:00Z', 'Asia/Shanghai') // '2024-03-31'
 */
export function dayOf(at: Date | string, timeZone = SERVER_ZONE): string {
  const w = wall(toDate(at), timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** Midnight in `timeZone`, `back` days before the day holding `now` (negative: after). */
export function midnightBefore(now: Date, back: number, timeZone = SERVER_ZONE): Date {
  const w = wall(toDate(now), timeZone);
  const target = Date.UTC(w.y, w.m - 1, w.d - back);
  // The zone's offset at the guess, then again at the result: right across a DST change.
  let t = target - (wall(new Date(target), timeZone).ms - target);
  t = target - (wall(new Date(t), timeZone).ms - t);
  return new Date(t);
}

/** The `count` days ending `endBack` days before today, oldest first. */
export function dayRange(now: Date, count: number, endBack = 0, timeZone = SERVER_ZONE): string[] {
  const out: string[] = [];
  for (let i = count - 1 + endBack; i >= endBack; i--)
    out.push(dayOf(midnightBefore(now, i, timeZone), timeZone));
  return out;
}
