import { type Signal, useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { ErrorText } from '../../components/error-text.tsx';
import { type Action, useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { Field } from '../setup/step-frame.tsx';
import type { EmailSettingsView, MailSecurity } from './api.ts';

/** What the form holds for one mail server (SMTP relay or IMAP account); the password is write-only. */
export interface MailServerState<S extends MailSecurity> {
  host: Signal<string>;
  port: Signal<string>;
  security: Signal<S>;
  user: Signal<string>;
  password: Signal<string>;
}

export function useMailServer<S extends MailSecurity>(
  server: { host: string; port: number; security: S; user?: string } | undefined,
  defaults: { port: number; security: S },
): MailServerState<S> {
  return {
    host: useSignal(server?.host ?? ''),
    port: useSignal(String(server?.port ?? defaults.port)),
    security: useSignal<S>(server?.security ?? defaults.security),
    user: useSignal(server?.user ?? ''),
    password: useSignal(''),
  };
}

/** Save action for a mail server form: runs `work`, hands the new view up, forgets the typed password, shows "saved". */
export function useMailSave(password: Signal<string>, onSaved: (v: EmailSettingsView) => void) {
  const saved = useSignal(false);
  const action: Action = useAction();
  const submit = (work: () => Promise<EmailSettingsView>) => (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      saved.value = false;
      onSaved(await work());
      password.value = '';
      saved.value = true;
    });
  };
  return { saved, action, submit };
}

/** Host, port, security, user, any extra fields, then the password (test ids `channels-email-<prefix>-…`). */
export function MailServerFields<S extends MailSecurity>(props: {
  state: MailServerState<S>;
  prefix: 'relay' | 'imap';
  securities: readonly S[];
  passwordSet: boolean | undefined;
  children?: ComponentChildren;
}) {
  const { host, port, security, user, password } = props.state;
  const id = `channels-email-${props.prefix}`;
  return (
    <>
      <Field
        label={t('channels.email.host')}
        testid={`${id}-host`}
        value={host.value}
        onInput={(v) => (host.value = v)}
      />
      <Field
        label={t('channels.email.port')}
        testid={`${id}-port`}
        type="number"
        value={port.value}
        onInput={(v) => (port.value = v)}
      />
      <label>
        {t('channels.email.security')}
        <select
          data-testid={`${id}-security`}
          value={security.value}
          onChange={(e) => {
            security.value = e.currentTarget.value as S;
          }}
        >
          {props.securities.map((s) => (
            <option key={s} value={s}>
              {t(`channels.email.security.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <Field
        label={t('channels.email.user')}
        testid={`${id}-user`}
        value={user.value}
        onInput={(v) => (user.value = v)}
      />
      {props.children}
      <Field
        label={t('channels.email.password')}
        testid={`${id}-password`}
        type="password"
        value={password.value}
        onInput={(v) => (password.value = v)}
        hint={props.passwordSet ? t('channels.secretKept') : ''}
      />
    </>
  );
}

/** Error, Save (showing "working" while busy) and the "saved" note of a mail server form. */
export function MailSaveRow(props: {
  prefix: 'relay' | 'imap';
  action: Action;
  saved: boolean;
  savedTestid?: string;
}) {
  const id = `channels-email-${props.prefix}`;
  return (
    <>
      <ErrorText code={props.action.error} testid={`${id}-error`} />
      <div class="row">
        <button type="submit" data-testid={`${id}-save`} disabled={props.action.busy}>
          {props.action.busy ? t('common.working') : t('common.save')}
        </button>
        {props.saved && <span data-testid={props.savedTestid}>{t('channels.saved')}</span>}
      </div>
    </>
  );
}
