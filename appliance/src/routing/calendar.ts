import { assertTimeZone as assertZone, OutOfRangeError, wallClock } from '../contracts/index.ts';

/** Weekday keys as Intl reports them in en-US short form. */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Business hours: weekly open intervals in a time zone, minus holiday dates. */
export interface Calendar {
  id: string;
  name: string;
  /** IANA zone, e.g. 'Asia/Shanghai'. */
  timeZone: string;
  /** Weekday → list of ['HH:MM', 'HH:MM') intervals in local time; a missing day is closed. */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Local dates 'YYYY-MM-DD' that are closed all day. */
  holidays: string[];
}

/** Throws RangeError for an unknown zone (so config validation can name it). */
export function assertTimeZone(timeZone: string): void {
  assertZone(timeZone);
}

/** Local weekday, date and minute-of-day of `at` in the calendar's zone. */
export function localTime(timeZone: string, at: number): { weekday: Weekday; date: string; minutes: number } {
  const w = wallClock(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    weekday: w.weekday as Weekday,
    date: `${w.y}-${two(w.m)}-${two(w.d)}`,
    minutes: w.hh * 60 + w.mm,
  };
}

export function toMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new OutOfRangeError('ROUTING_INVALID_CONFIG', `bad time '${hhmm}' (want HH:MM)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** True when `at` (epoch ms) falls inside an open interval on a non-holiday. */
export function isOpenAt(cal: Calendar, at: number): boolean {
  const local = localTime(cal.timeZone, at);
  if (cal.holidays.includes(local.date)) return false;
  for (const [from, to] of cal.weekly[local.weekday] ?? []) {
    if (local.minutes >= toMinutes(from) && local.minutes < toMinutes(to)) return true;
  }
  return false;
}
