import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
import {
  embedSnippet,
  fetchSetup,
  fetchWebchatOrigins,
  saveWebchatOrigins,
  saveWidgetLook,
} from '../setup/api.ts';
import { parseOrigins } from '../setup/step-channels.tsx';
import { Field } from '../setup/step-frame.tsx';
import { CopyButton } from './copy-button.tsx';

/** Web chat outside the wizard: origins, greeting, colour, privacy notice, and the embed snippet. */
export function WebchatSettings() {
  const origins = useSignal('');
  const greeting = useSignal('');
  const colour = useSignal('#1f6feb');
  const privacy = useSignal('');
  const lang = useSignal('zh-CN');
  const saved = useSignal(false);
  // The fields stay disabled until the stored settings are in, so nothing typed is overwritten by them.
  const loaded = useSignal(false);
  const action = useAction();
  useEffect(() => {
    void action
      .run(async () => {
        const [o, view] = await Promise.all([fetchWebchatOrigins(api), fetchSetup(api)]);
        origins.value = o.filter((x) => x !== '*').join('\n');
        greeting.value = view.widget.greeting;
        colour.value = view.widget.colour;
        privacy.value = view.widget.privacy ?? '';
        lang.value = view.branch.language;
      })
      .finally(() => {
        loaded.value = true;
      });
  }, []);
  const snippet = embedSnippet(location.origin, {
    lang: lang.value,
    greeting: greeting.value,
    colour: colour.value,
  });
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      saved.value = false;
      const list = origins.value.trim() === '' ? ['*'] : parseOrigins(origins.value);
      if (!list) throw new ApiError('SETUP_INVALID_FIELD', 400, { details: { field: 'origins' } });
      await saveWebchatOrigins(api, list);
      await saveWidgetLook(api, { greeting: greeting.value, colour: colour.value, privacy: privacy.value });
      saved.value = true;
    });
  };
  return (
    <form class="card stack" data-testid="channels-webchat" onSubmit={save}>
      <h2>{t('setup.step.webchat')}</h2>
      <fieldset class="bare stack" disabled={!loaded.value}>
        <label>
          {t('setup.webchat.origins')}
          <textarea
            data-testid="channels-webchat-origins"
            rows={3}
            value={origins.value}
            onInput={(e) => {
              origins.value = e.currentTarget.value;
            }}
          />
          <small>{t('channels.webchat.originsHint')}</small>
        </label>
        <Field
          label={t('setup.webchat.greeting')}
          testid="channels-webchat-greeting"
          value={greeting.value}
          onInput={(v) => {
            greeting.value = v;
          }}
        />
        <label>
          {t('setup.webchat.colour')}
          <input
            type="color"
            data-testid="channels-webchat-colour"
            value={colour.value}
            onInput={(e) => {
              colour.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('channels.webchat.privacy')}
          <textarea
            data-testid="channels-webchat-privacy"
            rows={2}
            value={privacy.value}
            onInput={(e) => {
              privacy.value = e.currentTarget.value;
            }}
          />
          <small>{t('channels.webchat.privacyHint')}</small>
        </label>
      </fieldset>
      <ErrorText code={action.error} testid="channels-webchat-error" />
      <div class="row">
        <button type="submit" data-testid="channels-webchat-save" disabled={action.busy}>
          {action.busy ? t('common.working') : t('common.save')}
        </button>
        {saved.value && <span data-testid="channels-webchat-saved">{t('channels.saved')}</span>}
      </div>
      <p>{t('setup.webchat.snippet')}</p>
      <pre class="wrap" data-testid="channels-webchat-snippet">
        {snippet}
      </pre>
      <CopyButton text={snippet} testid="channels-webchat-copy" />
    </form>
  );
}
