import { signal } from '@preact/signals';
import { type Locale, locale } from './index.ts';

/** The branch's IANA time zone from /api/branch; dates show in it, not in the PC's zone. */
export const branchTimeZone = signal<string | undefined>(undefined);

export function applyBranchTimeZone(zone: string | undefined): void {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    branchTimeZone.value = zone;
  } catch {
    // an unknown zone keeps the browser's own
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Locale, zone: string | undefined, options: Intl.DateTimeFormatOptions) {
  const key = `${lang}|${zone ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { ...options, ...(zone ? { timeZone: zone } : {}) });
    formatters.set(key, f);
  }
  return f;
}

const parse = (iso: string | number | Date) => (iso instanceof Date ? iso : new Date(iso));

/**
 * Date and time in the console language and the branch time zone; a value that
 * is not a date shows as given.
 * @example formatDateTime('2026-12-07T07:40:00Z', 'zh-CN', 'Asia/Shanghai') // '2026年12月7日 15:40:00'
 */
export function formatDateTime(
  iso: string | number | Date,
  lang: Locale = locale.value,
  zone: string | undefined = branchTimeZone.value,
): string {
  const d = parse(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return formatter(lang, zone, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** The day only, in the console language and branch time zone. */
export function formatDate(
  iso: string | number | Date,
  lang: Locale = locale.value,
  zone: string | undefined = branchTimeZone.value,
): string {
  const d = parse(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return formatter(lang, zone, { dateStyle: 'medium' }).format(d);
}

/**
 * A duration in whole seconds, as the language writes it (1 h 2 min 5 s / 1小时2分钟5秒).
 * @example formatDuration(65, 'zh-CN') // '1分钟5秒'
 */
export function formatDuration(seconds: number, lang: Locale = locale.value): string {
  const s = Math.max(0, Math.round(seconds));
  const parts: [number, Intl.NumberFormatOptions['unit']][] = [
    [Math.floor(s / 3600), 'hour'],
    [Math.floor((s % 3600) / 60), 'minute'],
    [s % 60, 'second'],
  ];
  const shown = parts.filter(([n], i) => n > 0 || (i === 2 && s < 60));
  return shown
    .map(([n, unit]) => new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short' }).format(n))
    .join(lang === 'zh-CN' ? '' : ' ');
}
