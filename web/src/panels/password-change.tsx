import { useSignal } from '@preact/signals';
import { api, refreshSession } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { changePassword } from '../data/auth.ts';
import { t } from '../i18n/index.ts';

const MIN_LENGTH = 12;

export function PasswordChangePanel() {
  const current = useSignal('');
  const next = useSignal('');
  const confirm = useSignal('');
  const tooShort = useSignal(false);
  const mismatch = useSignal(false);
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    tooShort.value = next.value.length < MIN_LENGTH;
    mismatch.value = !tooShort.value && confirm.value !== next.value;
    if (tooShort.value || mismatch.value) return;
    void action.run(async () => {
      await changePassword(api, current.value, next.value);
      current.value = '';
      next.value = '';
      confirm.value = '';
      await refreshSession();
    });
  };

  return (
    <main class="card narrow" id="main">
      <h1>{t('password.title')}</h1>
      <p>{t('password.intro')}</p>
      <form onSubmit={submit} class="stack">
        <label>
          {t('password.current')}
          <input
            data-testid="pw-current"
            type="password"
            autocomplete="current-password"
            required
            value={current.value}
            onInput={(e) => {
              current.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('password.new')}
          <input
            data-testid="pw-new"
            type="password"
            autocomplete="new-password"
            minLength={MIN_LENGTH}
            required
            value={next.value}
            onInput={(e) => {
              next.value = e.currentTarget.value;
            }}
          />
          <small>{t('password.rules')}</small>
        </label>
        <label>
          {t('password.confirm')}
          <input
            data-testid="pw-confirm"
            type="password"
            autocomplete="new-password"
            required
            value={confirm.value}
            onInput={(e) => {
              confirm.value = e.currentTarget.value;
            }}
          />
        </label>
        {mismatch.value && (
          <p class="error" role="alert" data-testid="pw-mismatch">
            {t('password.mismatch')}
          </p>
        )}
        {tooShort.value && (
          <p class="error" role="alert">
            {t('password.tooShort')}
          </p>
        )}
        <ErrorText code={action.error} testid="pw-error" />
        <button type="submit" data-testid="pw-submit" disabled={action.busy}>
          {action.busy ? t('common.working') : t('password.submit')}
        </button>
      </form>
    </main>
  );
}
