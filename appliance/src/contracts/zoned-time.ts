/**
 * Wall-clock time in an IANA zone through Intl.DateTimeFormat, never the
 * process's TZ: business hours, SLA calendars and reporting days all ask
 * "what does the branch's clock say at this instant?".
 */

export interface WallClock {
  y: number;
  /** 1–12. */
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
  /** 'Mon' … 'Sun'. */
  weekday: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
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

/** Throws RangeError for a zone Intl does not know (so config validation can name it). */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/**
 * What a clock in `timeZone` shows at `at` (epoch ms or Date).
 * @example wallClock(Date.parse('2024-03-30T23:30:00Z'), 'Asia/Shanghai').d // 31
 */
export function wallClock(at: number | Date, timeZone: string): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at))
    if (part.type !== 'literal') p[part.type] = part.value;
  return {
    y: Number(p['year'] ?? 1970),
    m: Number(p['month'] ?? 1),
    d: Number(p['day'] ?? 1),
    hh: Number(p['hour'] ?? 0),
    mm: Number(p['minute'] ?? 0),
    ss: Number(p['second'] ?? 0),
    weekday: p['weekday'] ?? 'Mon',
  };
}
