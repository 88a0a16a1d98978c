import { isMessageKey, locale, t, translate } from '../../i18n/index.ts';
import type { WfProblem, WfState, WfTransition, WorkflowDef } from './api.ts';
import { BOX_H, BOX_W, layoutWorkflow } from './workflow-layout.ts';

export type Selection = { kind: 'state'; id: string } | { kind: 'transition'; index: number } | undefined;

/**
 * The state's label in the console language; a state of the shipped workflow
 * whose label was left as shipped (or is not known here) through the catalogue;
 * then its plain label, then its id.
 */
export function stateLabel(s: WfState | undefined, id: string): string {
  const own = s?.labels?.[locale.value];
  if (own) return own;
  const key = `ticketState.${id}`;
  if (isMessageKey(key) && (!s?.label || s.label === translate('en', key)))
    return translate(locale.value, key);
  return s?.label || id;
}

/** The arrow's caption: its name, then its guards (e.g. "passed L1"). */
export function transitionCaption(tr: WfTransition): string {
  const guards = (tr.guards ?? []).map((g) =>
    g.kind === 'passed_level'
      ? t('tickets.wf.guardPassed', { level: g.level })
      : t('tickets.wf.guardVisited', { state: g.state }),
  );
  return [tr.name, ...guards].filter(Boolean).join(' · ');
}

/** Translated text of a problem the appliance found (never its message). */
export function problemText(p: WfProblem): string {
  const reason = p.reason as keyof typeof REASONS;
  const key = REASONS[reason] ?? 'tickets.wf.problem.other';
  return t(key, { state: p.state ?? '', transition: p.transition ?? '' });
}
const REASONS = {
  bad_id: 'tickets.wf.problem.bad_id',
  duplicate_state: 'tickets.wf.problem.duplicate_state',
  unknown_state: 'tickets.wf.problem.unknown_state',
  self_loop: 'tickets.wf.problem.self_loop',
  duplicate_transition: 'tickets.wf.problem.duplicate_transition',
  empty_level: 'tickets.wf.problem.empty_level',
  unreachable: 'tickets.wf.problem.unreachable',
  dead_end: 'tickets.wf.problem.dead_end',
  no_closed_state: 'tickets.wf.problem.no_closed_state',
} as const;

/** Which problems belong to a transition (by `from->to`), and which to a state. */
function placed(wf: WorkflowDef, problems: WfProblem[]) {
  const onEdge = new Map<number, WfProblem[]>();
  const onState = new Map<string, WfProblem[]>();
  for (const p of problems) {
    const index = p.transition ? wf.transitions.findIndex((x) => `${x.from}->${x.to}` === p.transition) : -1;
    if (index >= 0) onEdge.set(index, [...(onEdge.get(index) ?? []), p]);
    else if (p.state !== undefined) onState.set(p.state, [...(onState.get(p.state) ?? []), p]);
  }
  return { onEdge, onState };
}

/** States as boxes and transitions as labelled arrows; click either to edit it. */
export function WorkflowDiagram(props: {
  wf: WorkflowDef;
  problems: WfProblem[];
  selected: Selection;
  onSelect: (s: Selection) => void;
}) {
  const { wf } = props;
  const layout = layoutWorkflow(wf);
  const { onEdge, onState } = placed(wf, props.problems);
  const sel = props.selected;
  return (
    <svg
      class="wf-diagram"
      data-testid="wf-diagram"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="img"
      aria-label={t('tickets.wf.diagram')}
    >
      <defs>
        <marker
          id="wf-arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="8"
          markerHeight="8"
          orient="auto"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
        </marker>
      </defs>
      {layout.edges.map((e) => {
        const tr = wf.transitions[e.index] as WfTransition;
        const bad = onEdge.get(e.index) ?? [];
        const on = sel?.kind === 'transition' && sel.index === e.index;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes keyboard focus instead.
          <g
            key={`e${e.index}`}
            data-testid="wf-edge"
            data-from={tr.from}
            data-to={tr.to}
            data-invalid={bad.length > 0 ? 'true' : undefined}
            role="button"
            tabIndex={0}
            class={`wf-edge${on ? ' selected' : ''}${bad.length ? ' invalid' : ''}`}
            onClick={() => props.onSelect({ kind: 'transition', index: e.index })}
            onKeyDown={(ev) => ev.key === 'Enter' && props.onSelect({ kind: 'transition', index: e.index })}
          >
            <path
              d={e.path}
              fill="none"
              stroke={bad.length ? '#c0392b' : '#555'}
              stroke-width={on ? 3 : 1.5}
              marker-end="url(#wf-arrow)"
            />
            {/* A wide invisible stroke to click on; a loop is clickable inside too. */}
            <path
              d={e.path}
              fill={tr.from === tr.to ? 'transparent' : 'none'}
              stroke="transparent"
              stroke-width={12}
            />
            <text x={e.labelX} y={e.labelY} text-anchor="middle" font-size="12" data-testid="wf-edge-label">
              {transitionCaption(tr)}
            </text>
            {bad.map((p, i) => (
              <text
                key={p.reason}
                x={e.labelX}
                y={e.labelY + (tr.from === tr.to ? -14 - i * 14 : 20 + i * 14)}
                text-anchor="middle"
                font-size="12"
                fill="#c0392b"
                data-testid="wf-problem"
              >
                {problemText(p)}
              </text>
            ))}
          </g>
        );
      })}
      {wf.states.map((s) => {
        const box = layout.boxes.get(s.id);
        if (!box) return null;
        const bad = onState.get(s.id) ?? [];
        const on = sel?.kind === 'state' && sel.id === s.id;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes keyboard focus instead.
          <g
            key={`s${s.id}`}
            data-testid="wf-node"
            data-state={s.id}
            data-invalid={bad.length > 0 ? 'true' : undefined}
            role="button"
            tabIndex={0}
            class={`wf-node${on ? ' selected' : ''}`}
            onClick={() => props.onSelect({ kind: 'state', id: s.id })}
            onKeyDown={(ev) => ev.key === 'Enter' && props.onSelect({ kind: 'state', id: s.id })}
          >
            <rect
              x={box.x - BOX_W / 2}
              y={box.y - BOX_H / 2}
              width={BOX_W}
              height={BOX_H}
              rx={8}
              fill={s.category === 'closed' ? '#e8f5e9' : '#fff'}
              stroke={bad.length ? '#c0392b' : on ? '#1565c0' : '#555'}
              stroke-width={on || bad.length ? 3 : 1.5}
            />
            <text x={box.x} y={box.y - 2} text-anchor="middle" font-size="14" data-testid="wf-node-label">
              {stateLabel(s, s.id)}
            </text>
            <text x={box.x} y={box.y + 14} text-anchor="middle" font-size="10" fill="#666">
              {wf.initial === s.id
                ? `▶ ${t(`tickets.wf.category.${s.category}`)}`
                : t(`tickets.wf.category.${s.category}`)}
            </text>
            {bad.map((p, i) => (
              <text
                key={p.reason}
                x={box.x}
                y={box.y + BOX_H / 2 + 14 + i * 14}
                text-anchor="middle"
                font-size="12"
                fill="#c0392b"
                data-testid="wf-problem"
              >
                {problemText(p)}
              </text>
            ))}
          </g>
        );
      })}
    </svg>
  );
}
