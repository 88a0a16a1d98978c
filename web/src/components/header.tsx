import { me, offline, signOut } from '../app-state.ts';
import { LOCALE_NAMES, LOCALES, locale, setLocale, t } from '../i18n/index.ts';

export function LanguageSwitch() {
  return (
    <label class="lang">
      <span class="visually-hidden">{t('header.language')}</span>
      <select
        data-testid="lang-switch"
        value={locale.value}
        onChange={(e) => {
          const next = LOCALES.find((l) => l === e.currentTarget.value);
          if (next) setLocale(next);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Header() {
  const user = me.value?.user;
  return (
    <header class="top">
      <span class="brand">{t('app.name')}</span>
      <span class="spacer" />
      {user && <span class="who">{t('header.signedInAs', { name: user.displayName || user.username })}</span>}
      <LanguageSwitch />
      {user && (
        <button type="button" class="link" data-testid="logout" onClick={() => void signOut()}>
          {t('header.logout')}
        </button>
      )}
      {offline.value && (
        <p class="offline" role="status" data-testid="offline-banner">
          {t('header.offline')}
        </p>
      )}
    </header>
  );
}
