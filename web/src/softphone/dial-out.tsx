import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ApiError } from '../data/api.ts';
import { errorText, t } from '../i18n/index.ts';

const REASONS = [
  'invalid_number',
  'prefix_not_allowed',
  'over_concurrent_limit',
  'over_daily_limit',
  'no_agent_phone',
] as const;

/** Why a refused dial-out was refused, in the agent's words; the generic error text otherwise. */
export function refusal(e: unknown): string {
  if (!(e instanceof ApiError)) return errorText(undefined);
  const reason = e.details?.['reason'];
  return e.code === 'VOICE_DIALOUT_REFUSED' && REASONS.includes(reason as (typeof REASONS)[number])
    ? t(`dial.refused.${reason as (typeof REASONS)[number]}`)
    : errorText(e.code);
}

/**
 * Dial a customer: the appliance rings the agent's desk phone first, then the
 * carrier (under the branch's toll-fraud policy), and bridges the two. With
 * `onBrowserDial` the agent can also call from this browser's softphone.
 */
export function DialOut(props: { onBrowserDial?: ((number: string) => void) | undefined }) {
  const number = useSignal('');
  const busy = useSignal(false);
  const status = useSignal<{ ok: boolean; text: string } | undefined>(undefined);
  const dial = async () => {
    if (busy.value) return;
    busy.value = true;
    status.value = { ok: true, text: t('dial.ringing') };
    try {
      const r = await api.post<{ callId: string; state: string }>('/api/voice/calls', {
        to: number.value.trim(),
      });
      status.value = { ok: true, text: t('dial.connected', { call: r.callId.slice(0, 8) }) };
    } catch (e) {
      status.value = { ok: false, text: refusal(e) };
    } finally {
      busy.value = false;
    }
  };
  return (
    <form
      class="stack"
      data-testid="dial-out"
      onSubmit={(e) => {
        e.preventDefault();
        void dial();
      }}
    >
      <label>
        {t('dial.label')}
        <input
          data-testid="dial-number"
          inputMode="tel"
          autocomplete="off"
          value={number.value}
          onInput={(e) => {
            number.value = (e.target as HTMLInputElement).value;
          }}
        />
      </label>
      <div class="row">
        <button type="submit" data-testid="dial-call" disabled={busy.value || number.value.trim() === ''}>
          {t('dial.call')}
        </button>
        {props.onBrowserDial && (
          <button
            type="button"
            data-testid="dial-browser"
            disabled={busy.value || number.value.trim() === ''}
            onClick={() => props.onBrowserDial?.(number.value.trim())}
          >
            {t('dial.browser')}
          </button>
        )}
      </div>
      <p class="hint">{t('dial.hint')}</p>
      {status.value ? (
        <p
          data-testid={status.value.ok ? 'dial-status' : 'dial-error'}
          role={status.value.ok ? 'status' : 'alert'}
        >
          {status.value.text}
        </p>
      ) : null}
    </form>
  );
}
