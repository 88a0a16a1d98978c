import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../app-state.ts';
import { ApiError } from '../data/api.ts';
import { t } from '../i18n/index.ts';
import { CallTransfer } from './call-transfer.tsx';
import { refusal } from './dial-out.tsx';
import { type SignalAnswer, SoftphoneSession, type SoftphoneStats } from './session.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/**
 * The agent's browser phone for one call: answer (the browser offers PCMU so a
 * PSTN call needs no transcoding), mute, hold, keypad (RFC 4733 DTMF), hang up.
 * Embed it where a call is offered: `<Softphone callId={id} />`, or by the
 * voice contact the agent just accepted: `<Softphone contactId={id} />`.
 */
export function Softphone(props: {
  callId?: string;
  contactId?: string;
  /** Call this number from the browser (the carrier is dialled once the browser's leg is up). */
  dial?: string;
  onEnded?: () => void;
}) {
  const session = useRef<SoftphoneSession | undefined>(undefined);
  const state = useSignal<'idle' | 'connecting' | 'dialling' | 'active' | 'failed'>('idle');
  const refused = useSignal<string | undefined>(undefined);
  const muted = useSignal(false);
  const held = useSignal(false);
  const stats = useSignal<SoftphoneStats | undefined>(undefined);
  const callId = useSignal<string | undefined>(props.callId);

  useEffect(() => {
    if (props.dial) void dialOut(props.dial);
    const timer = setInterval(async () => {
      if (session.current) stats.value = await session.current.stats();
    }, 1000);
    return () => {
      clearInterval(timer);
      session.current?.close();
    };
  }, []);

  const answer = async () => {
    state.value = 'connecting';
    try {
      session.current = await SoftphoneSession.start({
        codec: 'pcmu',
        signal: async (sdp) => {
          const answer = await signalWithRetry(() =>
            api.post<SignalAnswer>('/api/voice/webrtc/sessions', {
              sdp,
              ...(props.callId ? { callId: props.callId } : { contactId: props.contactId }),
            }),
          );
          callId.value = answer.callId ?? callId.value;
          return answer;
        },
      });
      state.value = 'active';
    } catch {
      state.value = 'failed';
    }
  };
  const dialOut = async (number: string) => {
    state.value = 'connecting';
    try {
      const s = await SoftphoneSession.start({
        codec: 'pcmu',
        signal: (sdp) => api.post<SignalAnswer>('/api/voice/webrtc/sessions', { sdp }),
      });
      session.current = s;
      state.value = 'dialling';
      const r = await api.post<{ callId: string }>('/api/voice/calls', {
        to: number,
        sessionId: s.sessionId,
      });
      callId.value = r.callId;
      state.value = 'active';
    } catch (e) {
      refused.value = refusal(e);
      const s = session.current;
      session.current = undefined;
      if (s) {
        await api.delete(`/api/voice/webrtc/sessions/${s.sessionId}`).catch(() => undefined);
        s.close();
      }
      state.value = 'failed';
    }
  };
  /** Hang-up ends the call; after a transfer the same clean-up only lets go of this leg. */
  const hangup = async () => {
    const s = session.current;
    session.current = undefined;
    if (s) {
      await api.delete(`/api/voice/webrtc/sessions/${s.sessionId}`).catch(() => undefined);
      s.close();
    }
    state.value = 'idle';
    props.onEnded?.();
  };

  return (
    <div class="softphone stack" data-testid="softphone">
      <p data-testid="softphone-state">
        {state.value === 'active'
          ? t('softphone.active')
          : state.value === 'connecting'
            ? t('softphone.connecting')
            : state.value === 'dialling'
              ? t('softphone.dialling', { number: props.dial ?? '' })
              : state.value === 'failed'
                ? t('softphone.failed')
                : t('softphone.idle')}
      </p>
      {refused.value && (
        <p data-testid="dial-error" role="alert">
          {refused.value}
        </p>
      )}
      {props.dial && state.value !== 'active' ? (
        <button type="button" data-testid="softphone-close" onClick={hangup}>
          {t('softphone.hangup')}
        </button>
      ) : state.value !== 'active' ? (
        <button
          type="button"
          data-testid="softphone-answer"
          disabled={state.value === 'connecting'}
          onClick={answer}
        >
          {t('softphone.answer')}
        </button>
      ) : (
        <div class="row">
          <button
            type="button"
            data-testid="softphone-mute"
            onClick={() => {
              muted.value = !muted.value;
              session.current?.mute(muted.value);
            }}
          >
            {muted.value ? t('softphone.unmute') : t('softphone.mute')}
          </button>
          <button
            type="button"
            data-testid="softphone-hold"
            onClick={() => {
              held.value = !held.value;
              session.current?.hold(held.value);
            }}
          >
            {held.value ? t('softphone.resume') : t('softphone.hold')}
          </button>
          <button type="button" data-testid="softphone-hangup" onClick={hangup}>
            {t('softphone.hangup')}
          </button>
        </div>
      )}
      {state.value === 'active' && callId.value && (
        <CallTransfer
          callId={callId.value}
          onHandedOver={() => void hangup()}
          stillMine={async () => {
            const id = session.current?.sessionId;
            if (!id) return false;
            return api
              .get(`/api/voice/webrtc/sessions/${id}/stats`)
              .then(() => true)
              .catch(() => false);
          }}
        />
      )}
      {state.value === 'active' && (
        <div class="keypad" data-testid="softphone-keypad">
          {KEYS.map((k) => (
            <button
              type="button"
              key={k}
              data-testid={`softphone-key-${k}`}
              onClick={() => session.current?.sendDtmf(k)}
            >
              {k}
            </button>
          ))}
        </div>
      )}
      {stats.value && (
        <p data-testid="softphone-stats" data-packets={String(stats.value.packetsReceived)}>
          {t('softphone.stats', {
            packets: stats.value.packetsReceived,
            jitter: Math.round(stats.value.jitterMs),
          })}
        </p>
      )}
    </div>
  );
}

/**
 * Right after an offer is accepted the appliance first tries the agent's desk
 * phone; the call becomes answerable here only when that fails, so a refusal
 * is retried for a few seconds before it counts.
 */
async function signalWithRetry(send: () => Promise<SignalAnswer>): Promise<SignalAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const retry =
        e instanceof ApiError &&
        (e.code === 'VOICE_WEBRTC_CALL_NOT_ANSWERABLE' || e.code === 'VOICE_WEBRTC_CALL_NOT_FOUND');
      if (!retry || attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
