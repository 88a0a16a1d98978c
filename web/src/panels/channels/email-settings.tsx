import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { Field } from '../setup/step-frame.tsx';
import {
  type EmailSettingsInput,
  type EmailSettingsView,
  fetchEmailSettings,
  type MailSecurity,
  saveEmailSettings,
  sendTestMail,
} from './api.ts';

const sourceText = (s: string) => t(`channels.source.${s}` as 'channels.source.stored');

/** The relay to send replies through: host, port, security, user and a write-only password. */
function RelayForm({ view, onSaved }: { view: EmailSettingsView; onSaved: (v: EmailSettingsView) => void }) {
  const host = useSignal(view.relay?.host ?? '');
  const port = useSignal(String(view.relay?.port ?? 587));
  const security = useSignal<MailSecurity>(view.relay?.security ?? 'starttls');
  const user = useSignal(view.relay?.user ?? '');
  const password = useSignal('');
  const from = useSignal(view.mailFromSource === 'default' ? '' : view.mailFrom);
  const saved = useSignal(false);
  const action = useAction();
  const pinned = view.relaySource === 'environment';
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      saved.value = false;
      const body: EmailSettingsInput = { mailFrom: from.value };
      if (!pinned)
        body.relay =
          host.value.trim() === ''
            ? null
            : {
                host: host.value.trim(),
                port: Number(port.value),
                security: security.value,
                ...(user.value.trim() ? { user: user.value.trim() } : {}),
                ...(password.value ? { password: password.value } : {}),
              };
      onSaved(await saveEmailSettings(api, body));
      password.value = '';
      saved.value = true;
    });
  };
  return (
    <form class="card stack" data-testid="channels-email-relay" onSubmit={save}>
      <h3>{t('channels.email.relay')}</h3>
      <p class="muted" data-testid="channels-email-relay-source">
        {sourceText(view.relaySource)}
      </p>
      <fieldset class="stack" disabled={pinned}>
        <Field
          label={t('channels.email.host')}
          testid="channels-email-relay-host"
          value={host.value}
          onInput={(v) => (host.value = v)}
        />
        <Field
          label={t('channels.email.port')}
          testid="channels-email-relay-port"
          type="number"
          value={port.value}
          onInput={(v) => (port.value = v)}
        />
        <label>
          {t('channels.email.security')}
          <select
            data-testid="channels-email-relay-security"
            value={security.value}
            onChange={(e) => {
              security.value = e.currentTarget.value as MailSecurity;
            }}
          >
            <option value="tls">{t('channels.email.security.tls')}</option>
            <option value="starttls">{t('channels.email.security.starttls')}</option>
            <option value="none">{t('channels.email.security.none')}</option>
          </select>
        </label>
        <Field
          label={t('channels.email.user')}
          testid="channels-email-relay-user"
          value={user.value}
          onInput={(v) => (user.value = v)}
        />
        <Field
          label={t('channels.email.password')}
          testid="channels-email-relay-password"
          type="password"
          value={password.value}
          onInput={(v) => (password.value = v)}
          hint={view.relay?.passwordSet ? t('channels.secretKept') : ''}
        />
      </fieldset>
      <Field
        label={t('channels.email.from')}
        testid="channels-email-from"
        value={from.value}
        placeholder={view.mailFrom}
        onInput={(v) => (from.value = v)}
        hint={view.mailFromSource === 'environment' ? sourceText('environment') : ''}
      />
      <ErrorText code={action.error} testid="channels-email-relay-error" />
      <div class="row">
        <button type="submit" data-testid="channels-email-relay-save" disabled={action.busy}>
          {action.busy ? t('common.working') : t('common.save')}
        </button>
        {saved.value && <span data-testid="channels-email-relay-saved">{t('channels.saved')}</span>}
      </div>
    </form>
  );
}

/** Sends one mail through the relay in force; shows the relay's reply or the translated refusal. */
function TestMail() {
  const to = useSignal('');
  const result = useSignal('');
  const action = useAction();
  const send = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      result.value = '';
      result.value = (await sendTestMail(api, to.value.trim())).response;
    });
  };
  return (
    <form class="card stack" data-testid="channels-email-test" onSubmit={send}>
      <h3>{t('channels.email.test')}</h3>
      <Field
        label={t('channels.email.testTo')}
        testid="channels-email-test-to"
        type="email"
        required
        value={to.value}
        onInput={(v) => (to.value = v)}
      />
      <button type="submit" data-testid="channels-email-test-send" disabled={action.busy}>
        {action.busy ? t('common.working') : t('channels.email.testSend')}
      </button>
      {result.value && (
        <p class="success" data-testid="channels-email-test-ok">
          {t('channels.email.testOk', { response: result.value })}
        </p>
      )}
      <ErrorText code={action.error} testid="channels-email-test-error" />
    </form>
  );
}

/** The mailbox polled over IMAP (optional), with a write-only password. */
function ImapForm({ view, onSaved }: { view: EmailSettingsView; onSaved: (v: EmailSettingsView) => void }) {
  const host = useSignal(view.imap?.host ?? '');
  const port = useSignal(String(view.imap?.port ?? 993));
  const security = useSignal<'tls' | 'starttls'>(view.imap?.security ?? 'tls');
  const user = useSignal(view.imap?.user ?? '');
  const mailbox = useSignal(view.imap?.mailbox ?? 'INBOX');
  const password = useSignal('');
  const saved = useSignal(false);
  const action = useAction();
  const pinned = view.imapSource === 'environment';
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      saved.value = false;
      const imap =
        host.value.trim() === ''
          ? null
          : {
              host: host.value.trim(),
              port: Number(port.value),
              security: security.value,
              user: user.value,
              mailbox: mailbox.value,
              ...(password.value ? { password: password.value } : {}),
            };
      onSaved(await saveEmailSettings(api, { imap }));
      password.value = '';
      saved.value = true;
    });
  };
  return (
    <form class="card stack" data-testid="channels-email-imap" onSubmit={save}>
      <h3>{t('channels.email.imap')}</h3>
      <p class="muted">{sourceText(view.imapSource)}</p>
      <fieldset class="stack" disabled={pinned}>
        <Field
          label={t('channels.email.host')}
          testid="channels-email-imap-host"
          value={host.value}
          onInput={(v) => (host.value = v)}
        />
        <Field
          label={t('channels.email.port')}
          testid="channels-email-imap-port"
          type="number"
          value={port.value}
          onInput={(v) => (port.value = v)}
        />
        <label>
          {t('channels.email.security')}
          <select
            data-testid="channels-email-imap-security"
            value={security.value}
            onChange={(e) => {
              security.value = e.currentTarget.value as 'tls' | 'starttls';
            }}
          >
            <option value="tls">{t('channels.email.security.tls')}</option>
            <option value="starttls">{t('channels.email.security.starttls')}</option>
          </select>
        </label>
        <Field
          label={t('channels.email.user')}
          testid="channels-email-imap-user"
          value={user.value}
          onInput={(v) => (user.value = v)}
        />
        <Field
          label={t('channels.email.mailbox')}
          testid="channels-email-imap-mailbox"
          value={mailbox.value}
          onInput={(v) => (mailbox.value = v)}
        />
        <Field
          label={t('channels.email.password')}
          testid="channels-email-imap-password"
          type="password"
          value={password.value}
          onInput={(v) => (password.value = v)}
          hint={view.imap?.passwordSet ? t('channels.secretKept') : ''}
        />
        <ErrorText code={action.error} testid="channels-email-imap-error" />
        <div class="row">
          <button type="submit" data-testid="channels-email-imap-save" disabled={action.busy}>
            {action.busy ? t('common.working') : t('common.save')}
          </button>
          {saved.value && <span>{t('channels.saved')}</span>}
        </div>
      </fieldset>
    </form>
  );
}

/** Email: where mail is received (shown), the relay and its test mail, the IMAP account. */
export function EmailSettings() {
  const view = useSignal<EmailSettingsView | undefined>(undefined);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => {
      view.value = await fetchEmailSettings(api);
    });
  }, []);
  const v = view.value;
  return (
    <section class="stack" data-testid="channels-email">
      <h2>{t('setup.step.email')}</h2>
      <ErrorText code={action.error} testid="channels-email-error" />
      {v && (
        <>
          <section class="card stack">
            <h3>{t('channels.email.receive')}</h3>
            <p data-testid="channels-email-receive">
              {t('channels.email.receiveAt', { host: v.receive.host, port: v.receive.port ?? '—' })}
            </p>
            <p class="muted">
              {v.receive.domains.length > 0
                ? t('channels.email.domains', { domains: v.receive.domains.join(', ') })
                : t('channels.email.anyDomain')}
            </p>
          </section>
          <RelayForm view={v} onSaved={(n) => (view.value = n)} />
          <TestMail />
          <ImapForm view={v} onSaved={(n) => (view.value = n)} />
        </>
      )}
    </section>
  );
}
