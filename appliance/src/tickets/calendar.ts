/**
 * Business calendars for SLA clocks: weekly opening hours per weekday in an
 * IANA time zone, plus holidays. Pure functions; no I/O, no clock.
 */

import { assertTimeZone, OutOfRangeError, type WallClock, wallClock } from '../contracts/index.ts';
import type { Calendar as RoutingCalendar, Weekday } from '../routing/index.ts';

/** `HH:MM` wall-clock window, end exclusive; `24:00` allowed as an end. */
export type HoursWindow = readonly [start: string, end: string];

/**
 * Routing's business-hours format (one calendar format for the branch):
 * weekday names (`Mon` … `Sun`) to open windows in an IANA zone, plus holidays.
 */
export type BusinessCalendar = Pick<RoutingCalendar, 'timeZone'> & {
  /** A missing day is closed. */
  weekly: Partial<Record<Weekday, readonly HoursWindow[]>>;
  /** Local dates `YYYY-MM-DD` that are closed all day. */
  holidays?: readonly string[];
};

/** Index as `Date#getDay` (0 = Sunday): policies stored before the shared format keyed days so. */
const DAY_NAMES: readonly Weekday[] = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * The calendar in the shared format; a stored one keyed by day number
 * (`{ 1: [...] }` = Monday, the old SLA format) is translated, so old policies stay readable.
 * @example
 * readCalendar({ timeZone: 'Asia/Shanghai', weekly: { 1: [['09:00', '18:00']] } }).weekly; // { Mon: [['09:00', '18:00']] }
 */
export function readCalendar(cal: {
  timeZone: string;
  weekly: Record<string, readonly HoursWindow[] | undefined>;
  holidays?: readonly string[];
}): BusinessCalendar {
  const weekly: BusinessCalendar['weekly'] = {};
  for (const [key, windows] of Object.entries(cal.weekly)) {
    const name = /^[0-6]$/.test(key) ? DAY_NAMES[Number(key)] : DAY_NAMES.find((d) => d === key);
    if (!name) throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', `Invalid weekday "${key}"`);
    if (windows) weekly[name] = [...(weekly[name] ?? []), ...windows];
  }
  return { timeZone: cal.timeZone, weekly, ...(cal.holidays ? { holidays: cal.holidays } : {}) };
}

const MINUTE = 60_000;
/** A calendar that never opens would loop forever; ten years is the horizon. */
const MAX_DAYS = 3660;
type LocalParts = Omit<WallClock, 'weekday'>;

function localParts(at: number, timeZone: string): LocalParts {
  const { y, m, d, hh, mm, ss } = wallClock(at, timeZone);
  return { y, m, d, hh, mm, ss };
}

/** UTC epoch ms of a local wall-clock time in `timeZone` (two passes settle DST edges). */
function zonedToUtc(p: Omit<LocalParts, 'ss'>, timeZone: string): number {
  const wall = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const l = localParts(guess, timeZone);
    const seen = Date.UTC(l.y, l.m - 1, l.d, l.hh, l.mm, l.ss);
    guess += wall - seen;
  }
  return guess;
}

function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const total = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!(total >= 0 && total <= 24 * 60))
    throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', `Invalid time "${hhmm}": expected HH:MM`);
  return total;
}

/** Throws RangeError naming the bad part; call when a calendar is defined. */
export function validateCalendar(cal: BusinessCalendar): void {
  try {
    assertTimeZone(cal.timeZone);
  } catch {
    throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', `Invalid time zone "${cal.timeZone}"`);
  }
  let open = 0;
  for (const [day, windows] of Object.entries(cal.weekly)) {
    for (const [s, e] of windows ?? []) {
      if (minutesOf(s) >= minutesOf(e))
        throw new OutOfRangeError(
          'TICKETS_INVALID_CALENDAR',
          `Empty hours window ${s}-${e} on weekday ${day}`,
        );
      open++;
    }
  }
  if (open === 0) throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', 'Calendar has no opening hours');
  for (const h of cal.holidays ?? []) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(h))
      throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', `Invalid holiday "${h}": expected YYYY-MM-DD`);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Open intervals [startMs, endMs) of the local day `dayOffset` days after `from`'s local date. */
function dayIntervals(cal: BusinessCalendar, base: LocalParts, dayOffset: number): Array<[number, number]> {
  const noon = new Date(Date.UTC(base.y, base.m - 1, base.d + dayOffset, 12));
  const y = noon.getUTCFullYear();
  const m = noon.getUTCMonth() + 1;
  const d = noon.getUTCDate();
  if (cal.holidays?.includes(`${y}-${pad(m)}-${pad(d)}`)) return [];
  const weekday = DAY_NAMES[noon.getUTCDay()] as Weekday;
  return (cal.weekly[weekday] ?? []).map(([s, e]) => {
    const sm = minutesOf(s);
    const em = minutesOf(e);
    return [
      zonedToUtc({ y, m, d, hh: Math.floor(sm / 60), mm: sm % 60 }, cal.timeZone),
      zonedToUtc({ y, m, d, hh: Math.floor(em / 60), mm: em % 60 }, cal.timeZone),
    ];
  });
}

/**
 * The instant `minutes` business minutes after `from`.
 * @example
 * addBusinessMinutes(cal, new Date('2024-05-10T09:00:00Z'), 120); // skips the night and the weekend
 */
export function addBusinessMinutes(cal: BusinessCalendar, from: Date, minutes: number): Date {
  if (!(minutes >= 0))
    throw new OutOfRangeError('TICKETS_INVALID_REQUEST', `Invalid minutes ${minutes}: expected ≥ 0`);
  let left = minutes * MINUTE;
  const start = from.getTime();
  const base = localParts(start, cal.timeZone);
  for (let day = 0; day < MAX_DAYS; day++) {
    for (const [s, e] of dayIntervals(cal, base, day)) {
      const a = Math.max(s, start);
      if (a >= e) continue;
      if (left === 0) return new Date(a);
      if (a + left <= e) return new Date(a + left);
      left -= e - a;
    }
  }
  throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', 'Calendar never opens within ten years');
}

/**
 * Business minutes between two instants (0 when `to` ≤ `from`).
 * @example
 * businessMinutesBetween(cal, friday17h, monday10h); // 120 for 09:00–18:00 hours
 */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const a0 = from.getTime();
  const b0 = to.getTime();
  if (b0 <= a0) return 0;
  const base = localParts(a0, cal.timeZone);
  let total = 0;
  for (let day = 0; day < MAX_DAYS; day++) {
    for (const [s, e] of dayIntervals(cal, base, day)) {
      if (s >= b0) return total / MINUTE;
      total += Math.max(0, Math.min(e, b0) - Math.max(s, a0));
    }
  }
  return total / MINUTE;
}

/** True when `at` falls inside opening hours. */
export function isBusinessTime(cal: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  return dayIntervals(cal, localParts(t, cal.timeZone), 0).some(([s, e]) => t >= s && t < e);
}
