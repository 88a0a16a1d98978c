import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { locale, t } from '../../i18n/index.ts';
import { type DeskPhone, testCallPhone } from './api.ts';

/**
 * One desk phone's registration badge, its "test call" button and the result line
 * (calling… / rang and answered / the translated refusal). Shared by the Phones page
 * and the wizard's phone step. Test ids: `phone-registered` (data-registered),
 * `phone-test-call`, `phone-test-call-state` (data-state calling|answered),
 * `phone-test-call-ok`, `phone-row-error` (data-code).
 */
export function PhoneTestCall({ phone }: { phone: Pick<DeskPhone, 'username' | 'registered'> }) {
  const call = useAction();
  const answered = useSignal(false);
  const state = call.busy ? 'calling' : answered.value ? 'answered' : undefined;
  return (
    <span class="stack">
      <span class="row">
        <span data-testid="phone-registered" data-registered={phone.registered ? 'true' : 'false'}>
          {phone.registered ? t('phones.registered') : t('phones.notRegistered')}
        </span>
        <button
          type="button"
          class="secondary"
          data-testid="phone-test-call"
          disabled={call.busy}
          onClick={() => {
            answered.value = false;
            void call.run(async () => {
              await testCallPhone(api, phone.username, locale.value === 'zh-CN' ? 'zh' : 'en');
              answered.value = true;
            });
          }}
        >
          {t('phones.testCall')}
        </button>
      </span>
      {state && (
        <span data-testid="phone-test-call-state" data-state={state}>
          {state === 'calling' ? (
            t('phones.testCalling', { name: phone.username })
          ) : (
            <span data-testid="phone-test-call-ok">
              {t('phones.testCallAnswered', { name: phone.username })}
            </span>
          )}
        </span>
      )}
      <ErrorText code={call.error} testid="phone-row-error" />
    </span>
  );
}
