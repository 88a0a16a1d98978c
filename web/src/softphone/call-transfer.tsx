import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ApiError } from '../data/api.ts';
import { errorText, t } from '../i18n/index.ts';

type Kind = 'extension' | 'userId' | 'queue';
type Stage = 'idle' | 'busy' | 'consulting' | 'conference';

/**
 * Transfer controls for the call the softphone carries: blind (to an extension,
 * an agent or a queue) or attended (consult first, then hand over, bring
 * everyone into a three-way conference, or drop the target). `onHandedOver`
 * runs when the call has left this agent, so the softphone can close its leg.
 */
export function CallTransfer(props: {
  callId: string;
  onHandedOver: () => void;
  /** Whether this browser still carries the call (a failed blind transfer requeues it). */
  stillMine: () => Promise<boolean>;
}) {
  const kind = useSignal<Kind>('extension');
  const target = useSignal('');
  const stage = useSignal<Stage>('idle');
  const error = useSignal<string | undefined>(undefined);
  const base = `/api/voice/calls/${encodeURIComponent(props.callId)}`;

  const run = async (path: string, body: unknown, next: Stage, handedOver = false) => {
    const before = stage.value;
    stage.value = 'busy';
    error.value = undefined;
    try {
      await api.post(`${base}${path}`, body);
      stage.value = next;
      if (handedOver) props.onHandedOver();
    } catch (e) {
      stage.value = before;
      error.value = errorText(e instanceof ApiError ? e.code : undefined);
      if (handedOver && !(await props.stillMine())) props.onHandedOver();
    }
  };
  const to = () => ({ [kind.value]: target.value.trim() });
  const idle = stage.value === 'idle';
  const consulting = stage.value === 'consulting' || stage.value === 'conference';

  return (
    <div class="stack" data-testid="transfer">
      {!consulting && (
        <div class="row">
          <select
            data-testid="transfer-kind"
            value={kind.value}
            disabled={!idle}
            onChange={(e) => {
              kind.value = (e.target as HTMLSelectElement).value as Kind;
            }}
          >
            <option value="extension">{t('transfer.kind.extension')}</option>
            <option value="userId">{t('transfer.kind.agent')}</option>
            <option value="queue">{t('transfer.kind.queue')}</option>
          </select>
          <input
            data-testid="transfer-target"
            aria-label={t('transfer.target')}
            value={target.value}
            disabled={!idle}
            onInput={(e) => {
              target.value = (e.target as HTMLInputElement).value;
            }}
          />
          <button
            type="button"
            data-testid="transfer-blind"
            disabled={!idle || target.value.trim() === ''}
            onClick={() => void run('/transfer', { mode: 'blind', to: to() }, 'idle', true)}
          >
            {t('transfer.blind')}
          </button>
          <button
            type="button"
            data-testid="transfer-consult"
            disabled={!idle || target.value.trim() === '' || kind.value === 'queue'}
            onClick={() => void run('/transfer', { mode: 'attended', to: to() }, 'consulting')}
          >
            {t('transfer.consult')}
          </button>
        </div>
      )}
      {consulting && (
        <div class="row">
          <span data-testid="transfer-stage">
            {stage.value === 'conference' ? t('transfer.inConference') : t('transfer.consulting')}
          </span>
          <button
            type="button"
            data-testid="transfer-complete"
            onClick={() => void run('/transfer/complete', {}, 'idle', true)}
          >
            {stage.value === 'conference' ? t('transfer.leave') : t('transfer.complete')}
          </button>
          {stage.value === 'consulting' && (
            <button
              type="button"
              data-testid="transfer-conference"
              onClick={() => void run('/conference', {}, 'conference')}
            >
              {t('transfer.conference')}
            </button>
          )}
          <button
            type="button"
            data-testid="transfer-cancel"
            onClick={() => void run('/transfer/cancel', {}, 'idle')}
          >
            {t('transfer.cancel')}
          </button>
        </div>
      )}
      {error.value && (
        <p data-testid="transfer-error" role="alert">
          {error.value}
        </p>
      )}
    </div>
  );
}
