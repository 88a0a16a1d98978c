import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../app-state.ts';
import { t } from '../i18n/index.ts';
import { DialOut } from './dial-out.tsx';
import { Softphone } from './softphone.tsx';

interface QueuedCall {
  id: string;
  state: string;
  queue?: string;
}

/** Console page: calls waiting in a queue, each answerable with the browser softphone. */
export function SoftphonePanel() {
  const calls = useSignal<QueuedCall[]>([]);
  const active = useSignal<string | undefined>(undefined);
  const dialling = useSignal<string | undefined>(undefined);
  useEffect(() => {
    const load = async () => {
      const r = await api.get<{ calls: QueuedCall[] }>('/api/voice/calls').catch(() => ({ calls: [] }));
      calls.value = r.calls.filter((c) => c.state === 'queued');
    };
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="stack" data-testid="softphone-panel">
      <h2>{t('softphone.title')}</h2>
      <DialOut
        onBrowserDial={
          active.value || dialling.value
            ? undefined
            : (n) => {
                dialling.value = n;
              }
        }
      />
      {dialling.value ? (
        <Softphone
          key={`dial-${dialling.value}`}
          dial={dialling.value}
          onEnded={() => {
            dialling.value = undefined;
          }}
        />
      ) : active.value ? (
        <Softphone
          callId={active.value}
          onEnded={() => {
            active.value = undefined;
          }}
        />
      ) : calls.value.length === 0 ? (
        <p data-testid="softphone-no-calls">{t('softphone.noCalls')}</p>
      ) : (
        <ul>
          {calls.value.map((c) => (
            <li key={c.id} data-testid="softphone-call">
              {t('softphone.queue', { queue: c.queue ?? '' })}{' '}
              <button
                type="button"
                data-testid={`softphone-pick-${c.id}`}
                onClick={() => {
                  active.value = c.id;
                }}
              >
                {t('softphone.answer')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
