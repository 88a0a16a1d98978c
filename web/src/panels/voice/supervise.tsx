import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ApiError } from '../../data/api.ts';
import { errorText, t } from '../../i18n/index.ts';
import { type SignalAnswer, SoftphoneSession } from '../../softphone/index.ts';

type Mode = 'listen' | 'whisper' | 'barge';
const MODES: Mode[] = ['listen', 'whisper', 'barge'];

/**
 * A supervisor on a live call from this browser: listen (nobody hears them),
 * whisper (only the agent hears them) or barge (both do); switch modes on the
 * same leg, or leave. Every join and switch is audited by the appliance.
 */
export function SuperviseControls(props: { callId: string }) {
  const session = useRef<SoftphoneSession | undefined>(undefined);
  const mode = useSignal<Mode | undefined>(undefined);
  const busy = useSignal(false);
  const error = useSignal<string | undefined>(undefined);
  useEffect(() => () => void leave(), []);

  const guard = async (f: () => Promise<void>) => {
    busy.value = true;
    error.value = undefined;
    try {
      await f();
    } catch (e) {
      error.value = errorText(e instanceof ApiError ? e.code : undefined);
    } finally {
      busy.value = false;
    }
  };
  const join = (m: Mode) =>
    guard(async () => {
      if (session.current) {
        await api.put(`/api/voice/webrtc/supervise/${session.current.sessionId}`, { mode: m });
      } else {
        session.current = await SoftphoneSession.start({
          codec: 'pcmu',
          signal: (sdp) =>
            api.post<SignalAnswer>('/api/voice/webrtc/supervise', { sdp, callId: props.callId, mode: m }),
        });
      }
      mode.value = m;
    });
  /** Shown as left only once the appliance has taken the supervisor out of the call (and audited it). */
  async function leave() {
    const s = session.current;
    session.current = undefined;
    if (s) {
      await api.delete(`/api/voice/webrtc/supervise/${s.sessionId}`).catch(() => undefined);
      s.close();
    }
    mode.value = undefined;
  }

  return (
    <span class="row" data-testid={`supervise-${props.callId}`} data-mode={mode.value ?? 'off'}>
      {MODES.map((m) => (
        <button
          type="button"
          key={m}
          class={mode.value === m ? undefined : 'secondary'}
          aria-pressed={mode.value === m}
          data-testid={`supervise-${props.callId}-${m}`}
          disabled={busy.value || mode.value === m}
          onClick={() => void join(m)}
        >
          {t(`supervise.${m}`)}
        </button>
      ))}
      {mode.value && (
        <button
          type="button"
          class="secondary"
          data-testid={`supervise-${props.callId}-leave`}
          disabled={busy.value}
          onClick={() => void guard(leave)}
        >
          {t('supervise.leave')}
        </button>
      )}
      {error.value && <span role="alert">{error.value}</span>}
    </span>
  );
}
