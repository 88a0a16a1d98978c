import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { ApiError } from '../../data/api.ts';
import { type MessageKey, t } from '../../i18n/index.ts';
import { type FlowCheck, type FlowRow, fetchFlow, fetchFlows, saveFlow, validateFlow } from './api.ts';

const TEMPLATE = {
  id: 'inbound',
  name: 'Inbound IVR',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: 'Press one for sales.', options: { '1': 'queue' }, default: 'bye' },
    queue: { type: 'enqueue', queue: 'sales' },
    bye: { type: 'hangup' },
  },
};

const REASONS = [
  'text_required',
  'options_required',
  'refers_to_missing_node',
  'unknown_type',
  'queue_required',
  'name_required',
  'start_node',
  'id_must_match',
  'intents_required',
] as const;

/** The server's reason slug, translated when known (by prefix: slugs may end with the bad value). */
function reasonText(e: NonNullable<FlowCheck['error']>): string {
  const known = REASONS.find((r) => e.reason.startsWith(r));
  return known ? t(`flows.reason.${known}` as MessageKey) : e.reason.replace(/_/g, ' ');
}

/** IVR flows: the list, and a JSON editor whose validation errors name the node. */
export function FlowsPanel() {
  const flows = useSignal<FlowRow[]>([]);
  const text = useSignal(JSON.stringify(TEMPLATE, null, 2));
  const check = useSignal<FlowCheck | undefined>(undefined);
  const note = useSignal<'badJson' | 'saved' | undefined>(undefined);
  const error = useSignal<string | undefined>(undefined);
  const load = async () => {
    flows.value = await fetchFlows(api);
  };
  useEffect(() => void load(), []);

  const parsed = (): Record<string, unknown> | undefined => {
    try {
      const v = JSON.parse(text.value) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    note.value = 'badJson';
    return undefined;
  };
  const run = async (save: boolean) => {
    note.value = undefined;
    error.value = undefined;
    check.value = undefined;
    const flow = parsed();
    if (!flow) return;
    try {
      check.value = await validateFlow(api, flow);
      if (save && check.value.valid) {
        await saveFlow(api, String(flow['id']), flow);
        note.value = 'saved';
        await load();
      }
    } catch (e) {
      error.value = e instanceof ApiError ? e.code : 'HTTP_UNKNOWN';
    }
  };
  const open = async (id: string) => {
    check.value = undefined;
    note.value = undefined;
    text.value = JSON.stringify(await fetchFlow(api, id), null, 2);
  };

  return (
    <div class="stack" data-testid="flows-panel">
      <h1>{t('nav.flows')}</h1>
      <h2>{t('flows.list')}</h2>
      <ul class="stack" data-testid="flows-list">
        {flows.value.map((f) => (
          <li key={f.id} class="row">
            <button
              type="button"
              class="secondary"
              data-testid={`flow-open-${f.id}`}
              onClick={() => void open(f.id)}
            >
              {f.name}
            </button>
            <code>{f.id}</code> <span>{t('flows.version', { version: f.version })}</span>
          </li>
        ))}
      </ul>
      <label class="stack">
        {t('flows.json')}
        <textarea
          rows={24}
          spellcheck={false}
          data-testid="flow-json"
          value={text.value}
          onInput={(e) => (text.value = (e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <button type="button" class="secondary" data-testid="flow-validate" onClick={() => void run(false)}>
          {t('flows.validate')}
        </button>
        <button type="button" data-testid="flow-save" onClick={() => void run(true)}>
          {t('flows.save')}
        </button>
      </div>
      {note.value === 'badJson' && (
        <p role="alert" data-testid="flow-bad-json">
          {t('flows.badJson')}
        </p>
      )}
      {note.value === 'saved' && <p data-testid="flow-saved">{t('flows.saved')}</p>}
      {check.value?.valid && note.value !== 'saved' && <p data-testid="flow-valid">{t('flows.valid')}</p>}
      {check.value?.error && (
        <p role="alert" data-testid="flow-error" data-node={check.value.error.node}>
          {t('flows.errorAt', { node: check.value.error.node, reason: reasonText(check.value.error) })}
        </p>
      )}
      {error.value && <ErrorText code={error.value} testid="flow-api-error" />}
    </div>
  );
}
