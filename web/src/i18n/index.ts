import { signal } from '@preact/signals';
import { en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type { MessageKey };
export type Locale = 'en' | 'zh-CN';
export type Params = Record<string, string | number>;

export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
/** Each language names itself, so a user who cannot read the current one still finds theirs. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

const STORAGE_KEY = 'branchline.locale';

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled by policy
  }
}

/** Saved choice first, then the browser language; anything Chinese gets zh-CN. */
export function pickLocale(saved: string | null | undefined, browserLanguage: string | undefined): Locale {
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return browserLanguage?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const locale = signal<Locale>(
  pickLocale(
    storage()?.getItem(STORAGE_KEY),
    typeof navigator === 'undefined' ? undefined : navigator.language,
  ),
);

export function setLocale(next: Locale): void {
  locale.value = next;
  storage()?.setItem(STORAGE_KEY, next);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/**
 * The branch's language (set in the setup wizard) for a browser whose user has
 * not chosen one: shown, not saved, so the user's own choice still wins.
 */
export function applyBranchLocale(lang: string | undefined): void {
  if (lang !== 'en' && lang !== 'zh-CN') return;
  const saved = storage()?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return;
  locale.value = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** Formats `{name}` placeholders; reading `locale.value` makes components re-render on switch. */
export function translate(lang: Locale, key: MessageKey, params: Params = {}): string {
  const text = MESSAGES[lang][key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function t(key: MessageKey, params?: Params): string {
  return translate(locale.value, key, params);
}

const isKey = (k: string): k is MessageKey => Object.hasOwn(en, k);
/** True when `k` names a message in the catalogues (for keys built from server codes). */
export const isMessageKey = isKey;

/** The user-facing text for an error code; never the server's own message. */
export function errorText(code: string | undefined, lang: Locale = locale.value): string {
  const key = `error.${code ?? ''}`;
  return translate(lang, isKey(key) ? key : 'error.generic');
}

/** Built-in role names are translated; custom roles show their id. */
export function roleName(id: string, lang: Locale = locale.value): string {
  const key = `role.${id}`;
  return isKey(key) ? translate(lang, key) : id;
}

export function permissionName(permission: string, lang: Locale = locale.value): string {
  const key = `perm.${permission}`;
  return isKey(key) ? translate(lang, key) : permission;
}

/** Reason from the server's `session.ended` (logout | idle | frozen | replaced) → banner text. */
export function sessionEndedText(reason: string, lang: Locale = locale.value): string {
  const key = `session.ended.${reason}`;
  return translate(lang, isKey(key) ? key : 'session.ended.expired');
}
