import { BadInputError } from '../contracts/index.ts';
import type { AgentProfile, QueueConfig, TargetConfig, WorkflowConfig } from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { compileExpression } from './expr.ts';
import type { RoutingSnapshot } from './store.ts';

/** Who uses a configuration item: shown by name when a delete is refused. */
export interface UsedBy {
  kind: 'queue' | 'workflow' | 'profile' | 'flow';
  id: string;
  name: string;
}

type Snap = Pick<RoutingSnapshot, 'queues' | 'skills' | 'workflows' | 'calendars' | 'profiles'>;

/** Skill ids an expression reads (`skills.billing >= 2` → `billing`); a bad expression names `field`. */
export function skillsOf(expression: string, field: string): string[] {
  try {
    return compileExpression(expression)
      .refs.filter((r) => r.startsWith('skills.'))
      .map((r) => r.slice('skills.'.length).split('.')[0] ?? '');
  } catch (err) {
    if (err instanceof RoutingError)
      throw new RoutingError(err.code, err.message, { details: { ...err.details, field }, cause: err });
    throw err;
  }
}

function unknown(field: string, kind: 'skill' | 'queue' | 'calendar', ref: string): BadInputError {
  return new BadInputError(
    'ROUTING_UNKNOWN_REFERENCE',
    `Cannot save: ${field} names unknown ${kind} '${ref}'`,
    {
      details: { field, kind, ref },
    },
  );
}

/** Refuses a condition that does not parse or reads an unknown skill, naming `field`. */
export function checkExpression(snap: Snap, expression: string | undefined, field: string): void {
  if (!expression) return;
  const skills = new Set(snap.skills.map((s) => s.id));
  for (const s of skillsOf(expression, field)) if (!skills.has(s)) throw unknown(field, 'skill', s);
}

function checkTarget(snap: Snap, t: TargetConfig, field: string): void {
  if (!snap.queues.some((q) => q.id === t.queue)) throw unknown(`${field}.queue`, 'queue', t.queue);
  checkExpression(snap, t.agentExpression, `${field}.agentExpression`);
}

/**
 * Refuses an item that names a skill, queue or calendar routing does not know,
 * or whose condition does not parse, with the field in `details.field`
 * (ROUTING_UNKNOWN_REFERENCE, ROUTING_EXPRESSION_INVALID).
 */
export function assertReferences(
  snap: Snap,
  item:
    | { kind: 'queue'; value: QueueConfig }
    | { kind: 'workflow'; value: WorkflowConfig }
    | { kind: 'profile'; value: AgentProfile },
): void {
  if (item.kind === 'queue') {
    checkExpression(snap, item.value.agentExpression, 'agentExpression');
    return;
  }
  if (item.kind === 'profile') {
    const skills = new Set(snap.skills.map((s) => s.id));
    for (const s of Object.keys(item.value.skills))
      if (!skills.has(s)) throw unknown(`skills.${s}`, 'skill', s);
    return;
  }
  const w = item.value;
  for (const [i, f] of w.filters.entries()) {
    skillsOf(f.expression, `filters.${i}.expression`);
    for (const [j, t] of f.targets.entries()) checkTarget(snap, t, `filters.${i}.targets.${j}`);
  }
  if (w.defaultTarget) checkTarget(snap, w.defaultTarget, 'defaultTarget');
  if (w.calendarId !== undefined && !snap.calendars.some((c) => c.id === w.calendarId))
    throw unknown('calendarId', 'calendar', w.calendarId);
}

const targetsOf = (w: WorkflowConfig): TargetConfig[] => [
  ...w.filters.flatMap((f) => f.targets),
  ...(w.defaultTarget ? [w.defaultTarget] : []),
];

const reads = (expression: string | undefined, skill: string) => {
  if (!expression) return false;
  try {
    return skillsOf(expression, '').includes(skill);
  } catch {
    return false;
  }
};

/** The queues, workflows and agent profiles that use a skill, queue or calendar. */
export function usersOf(snap: Snap, kind: 'skill' | 'queue' | 'calendar' | 'workflow', id: string): UsedBy[] {
  const wf = (w: WorkflowConfig): UsedBy => ({ kind: 'workflow', id: w.id, name: w.name });
  if (kind === 'skill')
    return [
      ...snap.queues
        .filter((q) => reads(q.agentExpression, id))
        .map((q): UsedBy => ({ kind: 'queue', id: q.id, name: q.name })),
      ...snap.workflows.filter((w) => targetsOf(w).some((t) => reads(t.agentExpression, id))).map(wf),
      ...snap.profiles
        .filter((p) => Object.hasOwn(p.skills, id))
        .map((p): UsedBy => ({ kind: 'profile', id: p.userId, name: p.displayName ?? p.userId })),
    ];
  if (kind === 'queue') return snap.workflows.filter((w) => targetsOf(w).some((t) => t.queue === id)).map(wf);
  if (kind === 'calendar') return snap.workflows.filter((w) => w.calendarId === id).map(wf);
  return [];
}

/** The IVR/bot flows whose steps name a queue or calendar (flows live in another context: seen through a port). */
export interface FlowLister {
  list(): Promise<Array<{ id: string; name: string }>>;
  get(id: string): Promise<{ nodes: Record<string, { type: string; queue?: string; calendar?: string }> }>;
}

/** Flows with an `enqueue` step into `queue` (kind 'queue') or an `hours` step on `calendar` (kind 'calendar'). */
export async function flowsUsing(
  flows: FlowLister | undefined,
  kind: 'queue' | 'calendar',
  id: string,
): Promise<UsedBy[]> {
  if (!flows) return [];
  const names = (n: { type: string; queue?: string; calendar?: string }) =>
    kind === 'queue' ? n.type === 'enqueue' && n.queue === id : n.type === 'hours' && n.calendar === id;
  const out: UsedBy[] = [];
  for (const f of await flows.list()) {
    const def = await flows.get(f.id);
    if (Object.values(def.nodes).some(names)) out.push({ kind: 'flow', id: f.id, name: f.name });
  }
  return out;
}

/** ROUTING_IN_USE (409) listing who uses the item, when anyone does. */
export function assertUnused(kind: string, id: string, usedBy: UsedBy[]): void {
  if (usedBy.length === 0) return;
  throw new RoutingError(
    'ROUTING_IN_USE',
    `Cannot delete ${kind} ${id}: used by ${usedBy.map((u) => `${u.kind} ${u.id}`).join(', ')}`,
    { status: 409, details: { usedBy } },
  );
}
