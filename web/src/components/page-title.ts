import { effect } from '@preact/signals';
import { allowedPanels, route, type Stage, stage } from '../app-state.ts';
import { type MessageKey, t } from '../i18n/index.ts';

const STAGE_TITLES: Record<Exclude<Stage, 'shell'>, MessageKey> = {
  loading: 'app.loading',
  login: 'login.title',
  password: 'password.title',
  mfa: 'mfa.title',
};

/** "<page> · Branchline" for the stage and route shown (and the console language). */
export function pageTitle(): string {
  const s = stage.value;
  const key =
    s === 'shell'
      ? (allowedPanels.value.find((p) => p.route === route.value)?.label ?? 'nav.home')
      : STAGE_TITLES[s];
  return `${t(key)} · ${t('app.name')}`;
}

/**
 * Keeps document.title on the page shown, so tabs, history and screen readers name it.
 * @example
 * syncPageTitle(); // once, at start-up
 */
export function syncPageTitle(): () => void {
  return effect(() => {
    document.title = pageTitle();
  });
}
