import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.ts';
import { EmailSettings } from './email-settings.tsx';
import { WebchatSettings } from './webchat-settings.tsx';
import { WechatSettings } from './wechat-settings.tsx';

const TABS = ['webchat', 'email', 'wechat'] as const;
type Tab = (typeof TABS)[number];

/** Channel settings outside the wizard (admin): web chat, email, WeChat/WeCom. */
export function ChannelsPanel() {
  const tab = useSignal<Tab>('webchat');
  return (
    <section class="stack" data-testid="channels">
      <h1>{t('nav.channels')}</h1>
      <div class="tabs" role="tablist">
        {TABS.map((x) => (
          <button
            key={x}
            type="button"
            role="tab"
            aria-selected={tab.value === x}
            data-testid={`channels-tab-${x}`}
            onClick={() => {
              tab.value = x;
            }}
          >
            {t(`setup.step.${x}`)}
          </button>
        ))}
      </div>
      {tab.value === 'webchat' && <WebchatSettings />}
      {tab.value === 'email' && <EmailSettings />}
      {tab.value === 'wechat' && <WechatSettings />}
    </section>
  );
}
