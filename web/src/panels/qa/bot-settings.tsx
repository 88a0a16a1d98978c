import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { type BotSettings, getBotSettings, putBotSettings } from './api.ts';

/** The chatbot switch; only shown to holders of system.manage (the PUT requires it). */
export function BotSettingsCard() {
  const settings = useSignal<BotSettings | undefined>(undefined);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => {
      settings.value = await getBotSettings(api);
    });
  }, []);
  const s = settings.value;
  return (
    <section class="card stack" data-testid="bot-settings">
      <h3>{t('qa.bot.title')}</h3>
      {s ? (
        <label class="row">
          <input
            type="checkbox"
            data-testid="bot-enabled"
            checked={s.botEnabled}
            disabled={action.busy}
            onChange={(e) => {
              const botEnabled = e.currentTarget.checked;
              void action.run(async () => {
                settings.value = await putBotSettings(api, { botEnabled });
              });
            }}
          />
          {t('qa.bot.enabled')}
          <span class="muted" data-testid="bot-state" data-enabled={String(s.botEnabled)}>
            {s.botEnabled ? t('qa.bot.on') : t('qa.bot.off')}
          </span>
        </label>
      ) : null}
      <ErrorText code={action.error} testid="bot-error" />
    </section>
  );
}
