import { z } from 'zod';

/**
 * Widget settings an admin edits: which origins may embed it. Opening hours
 * are not here: routing's calendar (the default workflow's) decides for every
 * channel, the widget included.
 */
const Origins = z.array(z.string().min(1).max(200)).min(1).max(100);

/** What an admin may send: older consoles still send `hours`/`timeZone`, accepted and ignored. */
export const WebchatSettingsIn = z
  .object({
    /** Origins whose pages may embed the widget; '*' allows any. */
    origins: Origins,
    /** Ignored: opening hours are routing's calendar. */
    hours: z.array(z.unknown()).max(14).optional(),
    /** Ignored: the calendar carries its own time zone. */
    timeZone: z.string().max(64).optional(),
  })
  .strict();

export const WebchatSettings = z.object({ origins: Origins }).strict();
export type WebchatSettings = z.infer<typeof WebchatSettings>;

export const DEFAULT_SETTINGS: WebchatSettings = { origins: ['*'] };

/** Settings stored before opening hours moved to routing carry `hours`/`timeZone`: only the origins count. */
export function settingsOf(stored: unknown): WebchatSettings {
  const origins = (stored as { origins?: unknown } | undefined)?.origins;
  const parsed = Origins.safeParse(origins);
  return parsed.success ? { origins: parsed.data } : DEFAULT_SETTINGS;
}

export function originAllowed(s: WebchatSettings, origin: string | undefined): boolean {
  if (s.origins.includes('*')) return true;
  return origin !== undefined && s.origins.includes(origin);
}
