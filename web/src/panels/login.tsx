import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, endedReason, refreshSession } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { ApiError } from '../data/api.ts';
import { type Credentials, login, ssoEnabled, ssoMfa } from '../data/auth.ts';
import { sessionEndedText, t } from '../i18n/index.ts';

export function LoginPanel() {
  const username = useSignal('');
  const password = useSignal('');
  const totp = useSignal('');
  // The server asks for a code only after a correct password (IDENTITY_MFA_REQUIRED).
  const needTotp = useSignal(false);
  const action = useAction();
  // The local CA (served unauthenticated at /ca.crt) and its fingerprint to compare.
  const caFingerprint = useSignal('');
  // Single sign-on: the button when configured; the IdP's way back lands here with ?sso=mfa or ?sso_error=CODE.
  const sso = useSignal(false);
  const ssoStep = useSignal(false);
  const ssoError = useSignal<string | undefined>(undefined);
  useEffect(() => {
    void ssoEnabled(api).then((on) => {
      sso.value = on;
    });
    const q = new URLSearchParams(location.search);
    const code = q.get('sso_error');
    if (code !== null && /^[A-Z][A-Z0-9_]{2,63}$/.test(code)) ssoError.value = code;
    if (q.get('sso') === 'mfa') ssoStep.value = true;
    if (q.has('sso') || q.has('sso_error')) history.replaceState(null, '', location.pathname);
  }, []);
  useEffect(() => {
    fetch('/ca.json')
      .then((r) => (r.ok ? r.json() : undefined))
      .then((j: { fingerprintSha256?: unknown } | undefined) => {
        if (typeof j?.fingerprintSha256 === 'string') caFingerprint.value = j.fingerprintSha256;
      })
      .catch(() => undefined);
  }, []);

  const submitSsoCode = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await ssoMfa(api, totp.value.trim());
      totp.value = '';
      await refreshSession();
    });
  };

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const creds: Credentials = { username: username.value.trim(), password: password.value };
      if (needTotp.value && totp.value.trim() !== '') creds.totp = totp.value.trim();
      try {
        await login(api, creds);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'IDENTITY_MFA_REQUIRED') needTotp.value = true;
        throw err;
      }
      password.value = '';
      totp.value = '';
      await refreshSession();
    });
  };

  return (
    <main class="card narrow" id="main">
      <h1>{t('login.title')}</h1>
      {endedReason.value && (
        <p
          class="banner warn"
          role="alert"
          data-testid="session-ended-banner"
          data-reason={endedReason.value}
        >
          {sessionEndedText(endedReason.value)}
        </p>
      )}
      <ErrorText code={ssoError.value} testid="login-sso-error" />
      {ssoStep.value && (
        <form onSubmit={submitSsoCode} class="stack" data-testid="login-sso-mfa">
          <label>
            {t('login.totp')}
            <input
              data-testid="login-sso-totp"
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={totp.value}
              onInput={(e) => {
                totp.value = e.currentTarget.value;
              }}
            />
            <small>{t('login.ssoTotpHint')}</small>
          </label>
          <ErrorText code={action.error} testid="login-error" />
          <button type="submit" data-testid="login-sso-submit" disabled={action.busy}>
            {action.busy ? t('common.working') : t('login.submit')}
          </button>
        </form>
      )}
      <form onSubmit={submit} class="stack" hidden={ssoStep.value}>
        <label>
          {t('login.username')}
          <input
            data-testid="login-username"
            name="username"
            autocomplete="username"
            required
            value={username.value}
            onInput={(e) => {
              username.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            data-testid="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password.value}
            onInput={(e) => {
              password.value = e.currentTarget.value;
            }}
          />
        </label>
        {needTotp.value && (
          <label>
            {t('login.totp')}
            <input
              data-testid="login-totp"
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={totp.value}
              onInput={(e) => {
                totp.value = e.currentTarget.value;
              }}
            />
            <small>{t('login.totpHint')}</small>
          </label>
        )}
        {!ssoStep.value && <ErrorText code={action.error} testid="login-error" />}
        <button type="submit" data-testid="login-submit" disabled={action.busy}>
          {action.busy ? t('common.working') : t('login.submit')}
        </button>
      </form>
      {sso.value && !ssoStep.value && (
        // A plain navigation: the appliance redirects to the identity provider.
        <a class="button" href="/api/auth/oidc/start" data-testid="login-sso">
          {t('login.sso')}
        </a>
      )}
      {caFingerprint.value && (
        <section class="stack" data-testid="login-ca">
          <h2>{t('login.caTitle')}</h2>
          <a href="/ca.crt" download="branchline-local-ca.crt" data-testid="login-ca-download">
            {t('login.caDownload')}
          </a>
          <small>
            {t('login.caFingerprint')}{' '}
            <code data-testid="login-ca-fingerprint" style={{ overflowWrap: 'anywhere' }}>
              {caFingerprint.value}
            </code>
          </small>
        </section>
      )}
    </main>
  );
}
