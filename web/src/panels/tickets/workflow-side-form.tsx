import { t } from '../../i18n/index.ts';
import {
  STATE_CATEGORIES,
  type StateCategory,
  type WfState,
  type WfTransition,
  type WorkflowDef,
} from './api.ts';
import { type Selection, stateLabel } from './workflow-diagram.tsx';

const words = (v: string) =>
  v
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Renames a state everywhere it is named (initial, transitions, guards). */
function renameState(wf: WorkflowDef, from: string, to: string): WorkflowDef {
  const swap = (id: string) => (id === from ? to : id);
  return {
    ...wf,
    initial: swap(wf.initial),
    states: wf.states.map((s) => (s.id === from ? { ...s, id: to } : s)),
    transitions: wf.transitions.map((x) => ({
      ...x,
      from: swap(x.from),
      to: swap(x.to),
      ...(x.guards
        ? { guards: x.guards.map((g) => (g.kind === 'visited' ? { ...g, state: swap(g.state) } : g)) }
        : {}),
    })),
  };
}

function StateForm(props: {
  wf: WorkflowDef;
  id: string;
  onChange: (wf: WorkflowDef, sel: Selection) => void;
}) {
  const { wf } = props;
  const s = wf.states.find((x) => x.id === props.id);
  if (!s) return null;
  const put = (patch: Partial<WfState>) =>
    props.onChange(
      { ...wf, states: wf.states.map((x) => (x.id === s.id ? { ...x, ...patch } : x)) },
      {
        kind: 'state',
        id: s.id,
      },
    );
  const label = (lang: 'zh-CN' | 'en', v: string) => {
    const labels = { ...s.labels, [lang]: v };
    if (!v) delete labels[lang];
    put({ labels });
  };
  return (
    <div class="stack" data-testid="wf-state-form">
      <h3>{t('tickets.wf.state')}</h3>
      <label>
        {t('tickets.wf.stateId')}
        <input
          data-testid="wf-state-id"
          value={s.id}
          onChange={(e) => {
            const next = e.currentTarget.value.trim();
            if (next && next !== s.id)
              props.onChange(renameState(wf, s.id, next), { kind: 'state', id: next });
          }}
        />
      </label>
      <label>
        {t('tickets.wf.labelZh')}
        <input
          data-testid="wf-state-label-zh"
          value={s.labels?.['zh-CN'] ?? ''}
          onInput={(e) => label('zh-CN', e.currentTarget.value)}
        />
      </label>
      <label>
        {t('tickets.wf.labelEn')}
        <input
          data-testid="wf-state-label-en"
          value={s.labels?.en ?? s.label ?? ''}
          onInput={(e) => label('en', e.currentTarget.value)}
        />
      </label>
      <label>
        {t('tickets.wf.category')}
        <select
          data-testid="wf-state-category"
          value={s.category}
          onChange={(e) => put({ category: e.currentTarget.value as StateCategory })}
        >
          {STATE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`tickets.wf.category.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="wf-state-initial"
          checked={wf.initial === s.id}
          onChange={(e) =>
            e.currentTarget.checked && props.onChange({ ...wf, initial: s.id }, { kind: 'state', id: s.id })
          }
        />
        {t('tickets.wf.initial')}
      </label>
      <button
        type="button"
        data-testid="wf-state-remove"
        onClick={() =>
          props.onChange(
            {
              ...wf,
              states: wf.states.filter((x) => x.id !== s.id),
              transitions: wf.transitions.filter((x) => x.from !== s.id && x.to !== s.id),
            },
            undefined,
          )
        }
      >
        {t('tickets.wf.removeState')}
      </button>
    </div>
  );
}

const LABEL_OF: Record<string, 'tickets.wf.from' | 'tickets.wf.to' | 'tickets.wf.guardState'> = {
  'wf-transition-from': 'tickets.wf.from',
  'wf-transition-to': 'tickets.wf.to',
  'wf-guard-visited': 'tickets.wf.guardState',
};

function TransitionForm(props: {
  wf: WorkflowDef;
  index: number;
  onChange: (wf: WorkflowDef, sel: Selection) => void;
}) {
  const { wf, index } = props;
  const tr = wf.transitions[index];
  if (!tr) return null;
  const sel: Selection = { kind: 'transition', index };
  const put = (patch: { [K in keyof WfTransition]?: WfTransition[K] | undefined }) => {
    const merged: Record<string, unknown> = { ...tr, ...patch };
    for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
    const next = merged as unknown as WfTransition;
    props.onChange({ ...wf, transitions: wf.transitions.map((x, i) => (i === index ? next : x)) }, sel);
  };
  const level = tr.guards?.find((g) => g.kind === 'passed_level')?.level ?? '';
  const visited = tr.guards?.find((g) => g.kind === 'visited')?.state ?? '';
  const guards = (lv: string, st: string) => {
    const out: NonNullable<WfTransition['guards']> = [];
    if (lv) out.push({ kind: 'passed_level', level: lv });
    if (st) out.push({ kind: 'visited', state: st });
    put({ guards: out.length ? out : undefined });
  };
  const stateSelect = (testid: string, value: string, onPick: (v: string) => void, blank = false) => (
    <select
      aria-label={t(LABEL_OF[testid] ?? 'tickets.wf.state')}
      data-testid={testid}
      value={value}
      onChange={(e) => onPick(e.currentTarget.value)}
    >
      {blank && <option value="">{t('tickets.wf.none')}</option>}
      {wf.states.map((s) => (
        <option key={s.id} value={s.id}>
          {stateLabel(s, s.id)}
        </option>
      ))}
    </select>
  );
  return (
    <div class="stack" data-testid="wf-transition-form">
      <h3>{t('tickets.wf.transition')}</h3>
      <div class="field">
        <span>{t('tickets.wf.from')}</span>
        {stateSelect('wf-transition-from', tr.from, (v) => put({ from: v }))}
      </div>
      <div class="field">
        <span>{t('tickets.wf.to')}</span>
        {stateSelect('wf-transition-to', tr.to, (v) => put({ to: v }))}
      </div>
      <label>
        {t('tickets.wf.name')}
        <input
          data-testid="wf-transition-name"
          value={tr.name ?? ''}
          onInput={(e) => put({ name: e.currentTarget.value || undefined })}
        />
      </label>
      <label>
        {t('tickets.wf.guardLevel')}
        <input
          data-testid="wf-guard-level"
          list="wf-levels"
          value={level}
          onInput={(e) => guards(e.currentTarget.value.trim(), visited)}
        />
        <datalist id="wf-levels">
          {['L1', 'L2', 'L3'].map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
      </label>
      <div class="field">
        <span>{t('tickets.wf.guardState')}</span>
        {stateSelect('wf-guard-visited', visited, (v) => guards(level, v), true)}
      </div>
      <label>
        {t('tickets.wf.requiredFields')}
        <input
          data-testid="wf-transition-fields"
          value={(tr.requiredFields ?? []).join(', ')}
          onChange={(e) => {
            const list = words(e.currentTarget.value);
            put({ requiredFields: list.length ? list : undefined });
          }}
        />
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="wf-transition-notify"
          checked={tr.notify === true}
          onChange={(e) => put({ notify: e.currentTarget.checked || undefined })}
        />
        {t('tickets.wf.notify')}
      </label>
      <button
        type="button"
        data-testid="wf-transition-remove"
        onClick={() =>
          props.onChange({ ...wf, transitions: wf.transitions.filter((_, i) => i !== index) }, undefined)
        }
      >
        {t('tickets.wf.removeTransition')}
      </button>
    </div>
  );
}

/** The side form for whatever is selected on the diagram. */
export function SideForm(props: {
  wf: WorkflowDef;
  selected: Selection;
  onChange: (wf: WorkflowDef, sel: Selection) => void;
}) {
  const sel = props.selected;
  if (!sel) return <p class="muted">{t('tickets.wf.pick')}</p>;
  return sel.kind === 'state' ? (
    <StateForm wf={props.wf} id={sel.id} onChange={props.onChange} />
  ) : (
    <TransitionForm wf={props.wf} index={sel.index} onChange={props.onChange} />
  );
}
