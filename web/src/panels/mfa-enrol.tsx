import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, refreshSession } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { QrCode } from '../components/qr-code.tsx';
import { useAction } from '../components/use-action.ts';
import { beginMfa, confirmMfa, type MfaSetup } from '../data/auth.ts';
import { t } from '../i18n/index.ts';

export function MfaEnrolPanel() {
  const setup = useSignal<MfaSetup | undefined>(undefined);
  const code = useSignal('');
  const start = useAction();
  const confirm = useAction();

  useEffect(() => {
    void start.run(async () => {
      setup.value = await beginMfa(api);
    });
    // once per mount: a second setup call would replace the secret the user is typing in
  }, []);

  const submit = (e: Event) => {
    e.preventDefault();
    void confirm.run(async () => {
      await confirmMfa(api, code.value.trim());
      code.value = '';
      await refreshSession();
    });
  };

  return (
    <main class="card narrow" id="main">
      <h1>{t('mfa.title')}</h1>
      <p>{t('mfa.intro')}</p>
      <ErrorText code={start.error} testid="mfa-setup-error" />
      {setup.value && <QrCode text={setup.value.otpauthUrl} label={t('mfa.qr')} testid="mfa-qr" />}
      {setup.value && (
        <dl class="secret">
          <dt>{t('mfa.secret')}</dt>
          <dd>
            <code data-testid="mfa-secret">{setup.value.secret}</code>
          </dd>
          <dt>{t('mfa.url')}</dt>
          <dd>
            <code class="wrap" data-testid="mfa-url">
              {setup.value.otpauthUrl}
            </code>
          </dd>
        </dl>
      )}
      <form onSubmit={submit} class="stack">
        <label>
          {t('mfa.code')}
          <input
            data-testid="mfa-code"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
            title={t('mfa.codeFormat')}
            maxLength={6}
            required
            value={code.value}
            onInput={(e) => {
              code.value = e.currentTarget.value;
            }}
          />
        </label>
        <ErrorText code={confirm.error} testid="mfa-error" />
        <button type="submit" data-testid="mfa-submit" disabled={confirm.busy || !setup.value}>
          {confirm.busy ? t('common.working') : t('mfa.submit')}
        </button>
      </form>
    </main>
  );
}
