import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { allowedPanels, api, navigate } from '../../app-state.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
import { callbackUrl } from '../channels/api.ts';
import { EmailSettings } from '../channels/email-settings.tsx';
import { WechatSettings } from '../channels/wechat-settings.tsx';
import {
  embedSnippet,
  fetchWebchatOrigins,
  type SetupView,
  saveWebchatOrigins,
  saveWidgetLook,
} from './api.ts';
import { Field, StepFrame, type StepProps } from './step-frame.tsx';

/** Origins as typed, one a line; each must be scheme://host[:port] (or '*'). */
export function parseOrigins(text: string): string[] | undefined {
  const lines = text
    .split(/\s+/)
    .map((l) => l.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  if (lines.length === 0) return undefined;
  return lines.every((l) => l === '*' || /^https?:\/\/[^/\s]+$/.test(l)) ? lines : undefined;
}

/** Web chat: which sites may embed the widget, its greeting and colour, and the snippet to paste. */
export function WebchatStep(props: StepProps & { view: SetupView; onSaved: (v: SetupView) => void }) {
  const origins = useSignal('');
  // The stored origins arrive after the first render: until then the box is read-only, and
  // what the admin typed is never replaced by them (typing first used to be wiped out).
  const originsLoaded = useSignal(false);
  const originsTouched = useSignal(false);
  const greeting = useSignal(props.view.widget.greeting);
  const colour = useSignal(props.view.widget.colour);
  const saved = useSignal(false);
  const copied = useSignal(false);
  useEffect(() => {
    void fetchWebchatOrigins(api)
      .then((o) => {
        if (!originsTouched.value) origins.value = o.filter((x) => x !== '*').join('\n');
      })
      .finally(() => {
        originsLoaded.value = true;
      });
  }, []);
  const snippet = embedSnippet(location.origin, {
    lang: props.view.branch.language,
    greeting: greeting.value,
    colour: colour.value,
  });
  return (
    <StepFrame
      step="webchat"
      skip={props.skip}
      saveLabel={saved.value ? t('setup.saveNext') : t('setup.webchat.save')}
      onSave={async () => {
        if (saved.value) return props.done();
        const list = parseOrigins(origins.value);
        if (!list) throw new ApiError('SETUP_INVALID_FIELD', 400, { details: { field: 'origins' } });
        await saveWebchatOrigins(api, list);
        props.onSaved(await saveWidgetLook(api, { greeting: greeting.value, colour: colour.value }));
        saved.value = true;
      }}
    >
      <h2>{t('setup.step.webchat')}</h2>
      <p>{t('setup.webchat.intro')}</p>
      <label>
        {t('setup.webchat.origins')}
        <textarea
          data-testid="setup-webchat-origins"
          rows={3}
          readOnly={!originsLoaded.value}
          value={origins.value}
          onInput={(e) => {
            originsTouched.value = true;
            origins.value = e.currentTarget.value;
            saved.value = false;
          }}
        />
        <small>{t('setup.webchat.originsHint')}</small>
      </label>
      <Field
        label={t('setup.webchat.greeting')}
        testid="setup-webchat-greeting"
        value={greeting.value}
        onInput={(v) => {
          greeting.value = v;
          saved.value = false;
        }}
      />
      <label>
        {t('setup.webchat.colour')}
        <input
          type="color"
          data-testid="setup-webchat-colour"
          value={colour.value}
          onInput={(e) => {
            colour.value = e.currentTarget.value;
            saved.value = false;
          }}
        />
      </label>
      {saved.value && (
        <div class="stack">
          <p>{t('setup.webchat.snippet')}</p>
          <pre class="wrap" data-testid="setup-webchat-snippet">
            {snippet}
          </pre>
          <button
            type="button"
            class="secondary"
            data-testid="setup-webchat-copy"
            onClick={() =>
              void navigator.clipboard?.writeText(snippet).then(
                () => (copied.value = true),
                () => undefined,
              )
            }
          >
            {copied.value ? t('setup.webchat.copied') : t('setup.webchat.copy')}
          </button>
        </div>
      )}
    </StepFrame>
  );
}

/** Email: the Channels page's forms (relay with its test mail, IMAP), then the step's done/skip. */
export function EmailStep(props: StepProps) {
  return (
    <>
      <EmailSettings />
      <StepFrame step="email" skip={props.skip} onSave={props.done} saveLabel={t('setup.doneNext')}>
        <p>{t('setup.email.intro')}</p>
        <ul>
          <li>
            <code>BRANCHLINE_MAIL_DOMAINS</code>, <code>BRANCHLINE_SMTP_PORT</code> —{' '}
            {t('setup.email.receive')}
          </li>
          <li>
            <code>BRANCHLINE_IMAP_URL</code> — {t('setup.email.imap')}
          </li>
          <li>
            <code>BRANCHLINE_SMTP_RELAY_URL</code>, <code>BRANCHLINE_MAIL_FROM</code> —{' '}
            {t('setup.email.relay')}
          </li>
        </ul>
      </StepFrame>
    </>
  );
}

/** WeChat OA / WeCom: the Channels page's account forms, and the callback URLs to paste at the platform. */
export function WechatStep(props: StepProps) {
  const urls = (['wechat', 'wecom'] as const).map((f) => ({
    flavour: f,
    url: callbackUrl(location.origin, f),
  }));
  return (
    <>
      <WechatSettings />
      <StepFrame step="wechat" skip={props.skip} onSave={props.done} saveLabel={t('setup.doneNext')}>
        <p>{t('setup.wechat.intro')}</p>
        {urls.map((u) => (
          <dl class="secret" key={u.flavour}>
            <dt>{t(`setup.wechat.${u.flavour}`)}</dt>
            <dd>
              <code class="wrap" data-testid={`setup-callback-${u.flavour}`}>
                {u.url}
              </code>
            </dd>
          </dl>
        ))}
        <p class="muted">{t('setup.wechat.public')}</p>
      </StepFrame>
    </>
  );
}

/** Join HQ: the HQ page when the console has one, else what it will need. */
export function HqStep(props: StepProps) {
  const hq = allowedPanels.value.find((p) => /^(join-hq|hq)$/.test(p.route));
  return (
    <StepFrame step="hq" skip={props.skip} onSave={props.done} saveLabel={t('setup.finish')}>
      <h2>{t('setup.step.hq')}</h2>
      {hq ? (
        <p>
          <a
            href={`/${hq.route}`}
            data-testid="setup-hq-open"
            onClick={(e) => {
              e.preventDefault();
              navigate(hq.route);
            }}
          >
            {t('setup.hq.open')}
          </a>
        </p>
      ) : (
        <p data-testid="setup-hq-placeholder">{t('setup.hq.placeholder')}</p>
      )}
    </StepFrame>
  );
}
