/**
 * Reporting days are calendar days of the branch's time zone, as `YYYY-MM-DD`.
 * The zone is explicit (an IANA name read through Intl.DateTimeFormat), not
 * the process's TZ, so a box shipped with TZ=UTC still closes its days at the
 * branch's midnight. Without a zone, the server's own zone is used.
 */

import { OutOfRangeError, wallClock } from '../contracts/index.ts';

const SERVER_ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;
/** The zone of this server (what `BRANCHLINE_TIMEZONE` defaults to). */
export function serverTimeZone(): string {
  return SERVER_ZONE;
}

/** Wall-clock fields of `d` in `timeZone`, and that wall time read as if it were UTC. */
function wall(d: Date, timeZone: string) {
  const w = wallClock(d, timeZone);
  return { y: w.y, m: w.m, d: w.d, ms: Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss) };
}

function toDate(at: Date | string): Date {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime()))
    throw new OutOfRangeError('ANALYTICS_BAD_RANGE', `Cannot take the day of ${String(at)}: not a time`);
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
