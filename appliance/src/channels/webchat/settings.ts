import { z } from 'zod';

/** Widget settings an admin edits: opening hours (until routing calendars exist) and embedding origins. */
export const WebchatSettings = z
  .object({
    /** Empty means open around the clock. */
    hours: z
      .array(
        z
          .object({
            days: z.array(z.number().int().min(0).max(6)).min(1),
            from: z.string().regex(/^\d\d:\d\d$/),
            to: z.string().regex(/^\d\d:\d\d$/),
          })
          .strict(),
      )
      .max(14),
    timeZone: z.string().min(1).max(64),
    /** A routing calendar (holidays, special hours) that overrides `hours` when routing knows it. */
    calendarId: z.string().min(1).max(64).optional(),
    /** Origins whose pages may embed the widget; '*' allows any. */
    origins: z.array(z.string().min(1).max(200)).min(1).max(100),
  })
  .strict();
export type WebchatSettings = z.infer<typeof WebchatSettings>;

export const DEFAULT_SETTINGS: WebchatSettings = { hours: [], timeZone: 'Asia/Shanghai', origins: ['*'] };

/** True when `at` falls inside one of the opening windows, in the configured time zone. */
export function isOpenAt(s: WebchatSettings, at: Date): boolean {
  if (s.hours.length === 0) return true;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: s.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  const hhmm = `${get('hour')}:${get('minute')}`;
  return s.hours.some((w) => w.days.includes(day) && hhmm >= w.from && hhmm < w.to);
}

export function originAllowed(s: WebchatSettings, origin: string | undefined): boolean {
  if (s.origins.includes('*')) return true;
  return origin !== undefined && s.origins.includes(origin);
}
