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
import { MailSaveRow, MailServerFields, useMailSave, useMailServer } from './mail-server-fields.tsx';

const sourceText = (s: string) => t(`channels.source.${s}` as 'channels.source.stored');

/** The relay to send replies through: host, port, security, user and a write-only password. */
function RelayForm({ view, onSaved }: { view: EmailSettingsView; onSaved: (v: EmailSettingsView) => void }) {
  const server = useMailServer<MailSecurity>(view.relay, { port: 587, security: 'starttls' });
  const { host, port, security, user, password } = server;
  const from = useSignal(view.mailFromSource === 'default' ? '' : view.mailFrom);
  const { saved, action, submit } = useMailSave(password, onSaved);
  const pinned = view.relaySource === 'environment';
  const save = submit(() => {
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
    return saveEmailSettings(api, body);
  });
  return (
    <form class="card stack" data-testid="channels-email-relay" onSubmit={save}>
      <h3>{t('channels.email.relay')}</h3>
      <p class="muted" data-testid="channels-email-relay-source">
        {sourceText(view.relaySource)}
      </p>
      <fieldset class="stack" disabled={pinned}>
        <MailServerFields
          state={server}
          prefix="relay"
          securities={['tls', 'starttls', 'none']}
          passwordSet={view.relay?.passwordSet}
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
      <MailSaveRow
        prefix="relay"
        action={action}
        saved={saved.value}
        savedTestid="channels-email-relay-saved"
      />
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
  const server = useMailServer<'tls' | 'starttls'>(view.imap, { port: 993, security: 'tls' });
  const { host, port, security, user, password } = server;
  const mailbox = useSignal(view.imap?.mailbox ?? 'INBOX');
  const { saved, action, submit } = useMailSave(password, onSaved);
  const pinned = view.imapSource === 'environment';
  const save = submit(() => {
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
    return saveEmailSettings(api, { imap });
  });
  return (
    <form class="card stack" data-testid="channels-email-imap" onSubmit={save}>
      <h3>{t('channels.email.imap')}</h3>
      <p class="muted">{sourceText(view.imapSource)}</p>
      <fieldset class="stack" disabled={pinned}>
        <MailServerFields
          state={server}
          prefix="imap"
          securities={['tls', 'starttls']}
          passwordSet={view.imap?.passwordSet}
        >
          <Field
            label={t('channels.email.mailbox')}
            testid="channels-email-imap-mailbox"
            value={mailbox.value}
            onInput={(v) => (mailbox.value = v)}
          />
        </MailServerFields>
        <MailSaveRow prefix="imap" action={action} saved={saved.value} />
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
