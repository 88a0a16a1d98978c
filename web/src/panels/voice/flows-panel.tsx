import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { ApiError } from '../../data/api.ts';
import { type MessageKey, t } from '../../i18n/index.ts';
import { shippedName } from '../../i18n/labels.ts';
import { fetchConfig } from '../routing/api.ts';
import { type FlowCheck, type FlowRow, fetchFlow, fetchFlows, saveFlow, validateFlow } from './api.ts';
import type { FlowDraft } from './flow-model.ts';
import { FlowNodeForm, type Named } from './flow-node-form.tsx';
import { FlowTree } from './flow-tree.tsx';

/** A new flow has no id yet: the admin names it, so "new" never overwrites the inbound flow by accident. */
const BLANK: FlowDraft = {
  id: '',
  name: '',
  language: 'zh',
  start: 'menu',
  nodes: { menu: { type: 'menu', prompt: '', options: {}, default: '', timeoutMs: 8000 } },
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
  'unreachable',
  'duplicate_key',
  'option_key',
  'target_required',
  'prompt_must_be',
  'variable_required',
  'intent',
  'timeoutms',
  'maxdigits',
] as const;

/** The server's reason slug, translated when known (by prefix: slugs may end with the bad value). */
function reasonText(reason: string): string {
  const known = REASONS.find((r) => reason.startsWith(r));
  return known ? t(`flows.reason.${known}` as MessageKey) : t('flows.reason.other');
}

type Problem = { node: string; text: string; code?: string };

/** IVR flows: the list, and an editor that shows the flow as a tree with a side form per step. */
export function FlowsPanel() {
  const flows = useSignal<FlowRow[]>([]);
  const draft = useSignal<FlowDraft | undefined>(undefined);
  const selected = useSignal<string | undefined>(undefined);
  const problem = useSignal<Problem | undefined>(undefined);
  const saved = useSignal(false);
  const error = useSignal<string | undefined>(undefined);
  const queues = useSignal<Named[]>([]);
  const calendars = useSignal<Named[]>([]);
  const json = useSignal('');
  const badJson = useSignal(false);
  const load = async () => {
    flows.value = await fetchFlows(api);
  };
  useEffect(() => {
    void load();
    void fetchConfig(api)
      .then((c) => {
        queues.value = c.queues;
        calendars.value = c.calendars;
      })
      .catch(() => undefined);
  }, []);

  const edit = (f: FlowDraft, select?: string) => {
    draft.value = f;
    if (select !== undefined) selected.value = select;
    problem.value = undefined;
    saved.value = false;
    error.value = undefined;
  };
  const open = async (id: string) => {
    const {
      version: _v,
      savedAt: _s,
      savedBy: _b,
      ...flow
    } = (await fetchFlow(api, id)) as unknown as FlowDraft & {
      version?: number;
      savedAt?: string;
      savedBy?: string;
    };
    edit(flow, flow.start);
    json.value = '';
  };
  const save = async () => {
    const f = draft.value;
    if (!f) return;
    problem.value = undefined;
    saved.value = false;
    error.value = undefined;
    try {
      const check: FlowCheck = await validateFlow(api, f as unknown as Record<string, unknown>);
      if (!check.valid && check.error) {
        const e = check.error;
        const node = e.node === '(flow)' ? '' : e.node;
        problem.value =
          e.code === 'FLOWS_INVALID'
            ? { node, text: reasonText(e.reason) }
            : { node, text: '', code: e.code };
        if (node && f.nodes[node]) selected.value = node;
        return;
      }
      await saveFlow(api, f.id, f as unknown as Record<string, unknown>);
      saved.value = true;
      await load();
    } catch (e) {
      error.value = e instanceof ApiError ? e.code : 'HTTP_UNKNOWN';
    }
  };
  const f = draft.value;
  const setMeta = (k: 'id' | 'name' | 'language', v: string) => {
    if (f) edit({ ...f, [k]: v } as FlowDraft);
  };

  return (
    <div class="stack" data-testid="flows-panel">
      <h1>{t('nav.flows')}</h1>
      <h2>{t('flows.list')}</h2>
      <ul class="stack" data-testid="flows-list">
        {flows.value.map((row) => (
          <li key={row.id} class="row">
            <button
              type="button"
              class="secondary"
              data-testid={`flow-open-${row.id}`}
              onClick={() => void open(row.id)}
            >
              {shippedName('flow', row.id, row.name)}
            </button>
            <code>{row.id}</code> <span>{t('flows.version', { version: row.version })}</span>
          </li>
        ))}
      </ul>
      <div class="row">
        <button
          type="button"
          class="secondary"
          data-testid="flow-new"
          onClick={() => edit(structuredClone(BLANK), 'menu')}
        >
          {t('flows.new')}
        </button>
      </div>
      {f && (
        <section class="stack" data-testid="flow-editor">
          <div class="row">
            <label class="stack">
              {t('flows.id')}
              <input
                data-testid="flow-id"
                value={f.id}
                onInput={(e) => setMeta('id', e.currentTarget.value)}
              />
            </label>
            <label class="stack">
              {t('flows.name')}
              <input
                data-testid="flow-name"
                value={f.name}
                onInput={(e) => setMeta('name', e.currentTarget.value)}
              />
            </label>
            <label class="stack">
              {t('flows.language')}
              <select
                data-testid="flow-language"
                value={f.language}
                onChange={(e) => setMeta('language', e.currentTarget.value)}
              >
                <option value="zh">{t('flows.lang.zh')}</option>
                <option value="en">{t('flows.lang.en')}</option>
              </select>
            </label>
          </div>
          <div class="row" style="align-items: flex-start">
            <div class="card" style="flex: 1 1 22rem; min-width: 18rem">
              <h2>{t('flows.tree')}</h2>
              <FlowTree
                flow={f}
                selected={selected.value}
                invalid={problem.value?.node}
                queues={queues.value}
                calendars={calendars.value}
                onSelect={(id) => {
                  selected.value = id;
                }}
              />
            </div>
            <div style="flex: 1 1 22rem; min-width: 18rem">
              {selected.value && f.nodes[selected.value] ? (
                <FlowNodeForm
                  flow={f}
                  id={selected.value}
                  queues={queues.value}
                  calendars={calendars.value}
                  onChange={(next) => edit(next)}
                  onSelect={(id) => {
                    selected.value = id;
                  }}
                  onRefuse={(reason) => {
                    problem.value = { node: selected.value ?? '', text: reasonText(reason) };
                  }}
                />
              ) : (
                <p class="muted">{t('flows.pickNode')}</p>
              )}
            </div>
          </div>
          {problem.value && (
            <p
              role="alert"
              class="error"
              data-testid="flow-error"
              data-node={problem.value.node}
              data-code={problem.value.code ?? 'FLOWS_INVALID'}
            >
              {problem.value.code
                ? t('flows.errorAtCode', { node: problem.value.node })
                : t('flows.errorAt', {
                    node: problem.value.node || t('flows.wholeFlow'),
                    reason: problem.value.text,
                  })}
            </p>
          )}
          {problem.value?.code && <ErrorText code={problem.value.code} testid="flow-error-code" />}
          <div class="row">
            <button type="button" data-testid="flow-save" onClick={() => void save()}>
              {t('flows.save')}
            </button>
          </div>
          {saved.value && <p data-testid="flow-saved">{t('flows.saved')}</p>}
        </section>
      )}
      {error.value && <ErrorText code={error.value} testid="flow-api-error" />}
      <details data-testid="flow-advanced">
        <summary>{t('flows.advanced')}</summary>
        <div class="stack">
          <label class="stack">
            {t('flows.json')}
            <textarea
              rows={16}
              spellcheck={false}
              data-testid="flow-json"
              value={json.value}
              onInput={(e) => {
                json.value = e.currentTarget.value;
              }}
            />
          </label>
          <div class="row">
            <button
              type="button"
              class="secondary"
              data-testid="flow-export"
              disabled={!f}
              onClick={() => {
                json.value = JSON.stringify(draft.value, null, 2);
              }}
            >
              {t('flows.export')}
            </button>
            <button
              type="button"
              class="secondary"
              data-testid="flow-import"
              onClick={() => {
                badJson.value = false;
                try {
                  const v = JSON.parse(json.value) as unknown;
                  if (typeof v !== 'object' || v === null || Array.isArray(v))
                    throw new TypeError('not an object');
                  const next = v as FlowDraft;
                  if (typeof next.nodes !== 'object' || next.nodes === null) throw new TypeError('no nodes');
                  edit(next, next.start);
                } catch {
                  badJson.value = true;
                }
              }}
            >
              {t('flows.import')}
            </button>
          </div>
          {badJson.value && (
            <p role="alert" class="error" data-testid="flow-bad-json">
              {t('flows.badJson')}
            </p>
          )}
        </div>
      </details>
    </div>
  );
}
