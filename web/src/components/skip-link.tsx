import { t } from '../i18n/index.ts';

/**
 * The first Tab stop of every page: jumps past the header and the navigation to
 * `<main id="main">` (each stage renders one; the shell's takes focus, the
 * sign-in stages' become the point the next Tab continues from).
 */
export function SkipLink() {
  return (
    <a class="skip-link" href="#main" data-testid="skip-link">
      {t('app.skipToContent')}
    </a>
  );
}
