import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { Field } from '../setup/step-frame.tsx';
import { callbackUrl, fetchWechatConfig, saveWechatConfig, type WechatConfigInput } from './api.ts';
import { CopyButton } from './copy-button.tsx';

type Flavour = 'wechat' | 'wecom';

/**
 * One WeChat-family account: ids shown and editable, secrets write-only (left empty = kept),
 * and the callback URL to paste at the platform.
 */
function WechatAccount({ flavour }: { flavour: Flavour }) {
  const receiverId = useSignal('');
  const agentId = useSignal('');
  const openKfId = useSignal('');
  const secret = useSignal('');
  const token = useSignal('');
  const aesKey = useSignal('');
  const configured = useSignal(false);
  const saved = useSignal(false);
  const action = useAction();
  const p = `channels-${flavour}`;
  useEffect(() => {
    void action.run(async () => {
      const c = await fetchWechatConfig(api, flavour);
      configured.value = c.configured;
      // What the administrator typed while the stored values were loading wins over them.
      if (receiverId.value === '') receiverId.value = c.receiverId ?? '';
      if (agentId.value === '') agentId.value = c.agentId ?? '';
      if (openKfId.value === '') openKfId.value = c.openKfId ?? '';
    });
  }, []);
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      saved.value = false;
      const body: WechatConfigInput = { receiverId: receiverId.value.trim() };
      if (secret.value) body.secret = secret.value;
      if (token.value) body.token = token.value.trim();
      if (aesKey.value) body.encodingAesKey = aesKey.value.trim();
      if (flavour === 'wecom' && agentId.value.trim()) body.agentId = agentId.value.trim();
      if (flavour === 'wecom' && openKfId.value.trim()) body.openKfId = openKfId.value.trim();
      const c = await saveWechatConfig(api, flavour, body);
      configured.value = c.configured;
      secret.value = '';
      token.value = '';
      aesKey.value = '';
      saved.value = true;
    });
  };
  const kept = configured.value ? t('channels.secretKept') : '';
  const url = callbackUrl(location.origin, flavour);
  return (
    <form class="card stack" data-testid={p} onSubmit={save}>
      <h3>{t(`setup.wechat.${flavour}`)}</h3>
      <Field
        label={t(flavour === 'wechat' ? 'channels.wechat.appId' : 'channels.wechat.corpId')}
        testid={`${p}-receiver`}
        required
        value={receiverId.value}
        onInput={(v) => {
          receiverId.value = v;
        }}
      />
      {flavour === 'wecom' && (
        <>
          <Field
            label={t('channels.wechat.agentId')}
            testid={`${p}-agent`}
            value={agentId.value}
            onInput={(v) => {
              agentId.value = v;
            }}
          />
          <Field
            label={t('channels.wechat.openKfId')}
            testid={`${p}-kf`}
            value={openKfId.value}
            onInput={(v) => {
              openKfId.value = v;
            }}
          />
        </>
      )}
      <Field
        label={t('channels.wechat.secret')}
        testid={`${p}-secret`}
        type="password"
        value={secret.value}
        hint={kept}
        onInput={(v) => {
          secret.value = v;
        }}
      />
      <Field
        label={t('channels.wechat.token')}
        testid={`${p}-token`}
        type="password"
        value={token.value}
        hint={kept}
        onInput={(v) => {
          token.value = v;
        }}
      />
      <Field
        label={t('channels.wechat.aesKey')}
        testid={`${p}-aeskey`}
        type="password"
        value={aesKey.value}
        hint={kept}
        onInput={(v) => {
          aesKey.value = v;
        }}
      />
      <ErrorText code={action.error} testid={`${p}-error`} />
      <div class="row">
        <button type="submit" data-testid={`${p}-save`} disabled={action.busy}>
          {action.busy ? t('common.working') : t('common.save')}
        </button>
        {saved.value && <span data-testid={`${p}-saved`}>{t('channels.saved')}</span>}
      </div>
      {configured.value && (
        <dl class="secret">
          <dt>{t('channels.wechat.callback')}</dt>
          <dd>
            <code class="wrap" data-testid={`${p}-callback`}>
              {url}
            </code>
          </dd>
        </dl>
      )}
      {configured.value && <CopyButton text={url} testid={`${p}-callback-copy`} />}
      <p class="muted">{t('setup.wechat.public')}</p>
    </form>
  );
}

/** WeChat Official Account and WeCom (企业微信), one card each. */
export function WechatSettings() {
  return (
    <section class="stack" data-testid="channels-wechat-all">
      <h2>{t('setup.step.wechat')}</h2>
      <WechatAccount flavour="wechat" />
      <WechatAccount flavour="wecom" />
    </section>
  );
}
