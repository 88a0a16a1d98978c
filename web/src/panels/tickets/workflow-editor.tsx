import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { shippedName } from '../../i18n/labels.ts';
import {
  listWorkflows,
  publishWorkflow,
  validateWorkflowDef,
  type WfProblem,
  type WorkflowDef,
} from './api.ts';
import { problemText, type Selection, WorkflowDiagram } from './workflow-diagram.tsx';
import { SideForm } from './workflow-side-form.tsx';

const BLANK: WorkflowDef = {
  id: '',
  name: '',
  initial: 'new',
  states: [{ id: 'new', category: 'new' }],
  transitions: [],
};

/** Only what publish takes (a listed workflow also has version, createdAt, createdBy). */
function definition(wf: WorkflowDef): WorkflowDef {
  const { id, name, initial, states, transitions } = wf;
  return { id, name, initial, states, transitions };
}

function freeId(wf: WorkflowDef): string {
  for (let n = wf.states.length + 1; ; n++)
    if (!wf.states.some((s) => s.id === `state_${n}`)) return `state_${n}`;
}

/** JSON import/export for bulk work, folded away. */
function Advanced(props: { wf: WorkflowDef; onImport: (wf: WorkflowDef) => void }) {
  const text = useSignal('');
  const bad = useSignal(false);
  return (
    <details data-testid="wf-advanced">
      <summary>{t('tickets.wf.advanced')}</summary>
      <div class="stack">
        <button
          type="button"
          data-testid="wf-export"
          onClick={() => {
            text.value = JSON.stringify(definition(props.wf), null, 2);
          }}
        >
          {t('tickets.wf.export')}
        </button>
        <textarea
          rows={14}
          data-testid="workflow-json"
          value={text.value}
          onInput={(e) => {
            text.value = e.currentTarget.value;
          }}
        />
        {bad.value && <p class="error">{t('tickets.admin.badJson')}</p>}
        <button
          type="button"
          data-testid="wf-import"
          onClick={() => {
            try {
              const parsed = JSON.parse(text.value) as WorkflowDef;
              bad.value = !(parsed && Array.isArray(parsed.states) && Array.isArray(parsed.transitions));
              if (!bad.value) props.onImport(definition(parsed));
            } catch {
              bad.value = true;
            }
          }}
        >
          {t('tickets.wf.import')}
        </button>
      </div>
    </details>
  );
}

/** Ticket workflows as a diagram: click a state or arrow to edit it; validated by the appliance before publish. */
export function WorkflowEditor() {
  const list = useSignal<Array<WorkflowDef & { version: number }>>([]);
  const wf = useSignal<WorkflowDef | undefined>(undefined);
  const selected = useSignal<Selection>(undefined);
  const problems = useSignal<WfProblem[]>([]);
  const published = useSignal<number | undefined>(undefined);
  const action = useAction();
  const load = async () => {
    list.value = await listWorkflows(api);
  };
  useEffect(() => {
    void action.run(load);
  }, []);
  const edit = (next: WorkflowDef, sel: Selection = selected.value) => {
    wf.value = next;
    selected.value = sel;
    published.value = undefined;
  };
  const publish = () =>
    action.run(async () => {
      const def = wf.value;
      if (!def) return;
      problems.value = await validateWorkflowDef(api, definition(def));
      if (problems.value.length > 0) return;
      const saved = (await publishWorkflow(api, definition(def))) as { version: number };
      published.value = saved.version;
      await load();
    });
  const current = wf.value;
  return (
    <div class="stack" data-testid="wf-editor">
      <div class="row">
        <label>
          {t('tickets.wf.open')}
          <select
            data-testid="wf-pick"
            value={current?.id ?? ''}
            onChange={(e) => {
              const found = list.value.find((x) => x.id === e.currentTarget.value);
              if (found) edit(definition(structuredClone(found)), undefined);
              problems.value = [];
            }}
          >
            <option value="">—</option>
            {list.value.map((x) => (
              <option key={x.id} value={x.id}>
                {shippedName('workflow', x.id, x.name)} (v{x.version})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="wf-new"
          onClick={() => {
            problems.value = [];
            edit(structuredClone(BLANK), { kind: 'state', id: 'new' });
          }}
        >
          {t('tickets.wf.new')}
        </button>
      </div>
      {current && (
        <>
          <div class="row">
            <label>
              {t('tickets.wf.id')}
              <input
                data-testid="wf-id"
                value={current.id}
                disabled={list.value.some((x) => x.id === current.id)}
                onInput={(e) => edit({ ...current, id: e.currentTarget.value.trim() })}
              />
            </label>
            <label>
              {t('tickets.wf.workflowName')}
              <input
                data-testid="wf-name"
                value={current.name}
                onInput={(e) => edit({ ...current, name: e.currentTarget.value })}
              />
            </label>
            <button
              type="button"
              data-testid="wf-add-state"
              onClick={() => {
                const id = freeId(current);
                edit(
                  { ...current, states: [...current.states, { id, category: 'open' }] },
                  { kind: 'state', id },
                );
              }}
            >
              {t('tickets.wf.addState')}
            </button>
            <button
              type="button"
              data-testid="wf-add-transition"
              disabled={current.states.length === 0}
              onClick={() => {
                const from =
                  selected.value?.kind === 'state' ? selected.value.id : (current.states[0]?.id ?? '');
                const to = current.states.find((s) => s.id !== from)?.id ?? from;
                const transitions = [...current.transitions, { from, to }];
                edit({ ...current, transitions }, { kind: 'transition', index: transitions.length - 1 });
              }}
            >
              {t('tickets.wf.addTransition')}
            </button>
          </div>
          <div
            class="row wf-layout"
            style={{ display: 'flex', gap: '1rem', alignItems: 'flex-start', flexWrap: 'wrap' }}
          >
            <div class="wf-canvas" style={{ overflowX: 'auto', maxWidth: '100%' }}>
              <WorkflowDiagram
                wf={current}
                problems={problems.value}
                selected={selected.value}
                onSelect={(s) => {
                  selected.value = s;
                }}
              />
            </div>
            <aside class="card wf-side" style={{ minWidth: '16rem' }}>
              <SideForm wf={current} selected={selected.value} onChange={edit} />
            </aside>
          </div>
          {problems.value.length > 0 && (
            <ul class="error" role="alert" data-testid="wf-problems">
              {problems.value.map((p) => (
                <li key={`${p.reason}:${p.state ?? ''}:${p.transition ?? ''}`}>{problemText(p)}</li>
              ))}
            </ul>
          )}
          <ErrorText code={action.error} />
          {published.value !== undefined && (
            <p data-testid="wf-published">{t('tickets.wf.published', { version: published.value })}</p>
          )}
          <button
            type="button"
            data-testid="wf-publish"
            disabled={action.busy}
            onClick={() => void publish()}
          >
            {t('tickets.admin.publish')}
          </button>
          <Advanced wf={current} onImport={(next) => edit(next, undefined)} />
        </>
      )}
    </div>
  );
}
