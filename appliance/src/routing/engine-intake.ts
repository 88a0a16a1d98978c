import { type CompiledTarget, type CompiledWorkflow, compileTarget, type Task } from './engine-model.ts';
import {
  type Attributes,
  type Channel,
  FALLBACK_QUEUE,
  type QueueConfig,
  type TaskInput,
} from './engine-types.ts';
import { ANY } from './expr.ts';

export interface Route {
  name: string;
  targets: CompiledTarget[];
}

/** The first filter of the workflow the contact matches, else its default target. */
export function routeOf(wf: CompiledWorkflow, channel: Channel, attributes: Attributes): Route | undefined {
  const scope = { ...attributes, channel };
  for (const f of wf.filters) if (f.expr.test(scope)) return { name: f.name, targets: f.targets };
  return wf.fallback ? { name: 'default', targets: wf.fallback } : undefined;
}

/**
 * The route of a contact nothing else routes: the fallback queue as configured
 * (its agent expression applies), or everyone when an admin has deleted it.
 */
export function fallbackWorkflow(
  queues: ReadonlyMap<string, QueueConfig>,
  offerMs: number,
): CompiledWorkflow {
  const target: CompiledTarget = queues.has(FALLBACK_QUEUE)
    ? compileTarget({ queue: FALLBACK_QUEUE }, queues)
    : { queueId: FALLBACK_QUEUE, queueExpr: ANY, expr: ANY, taskRefs: [], priority: 0, timeoutMs: undefined };
  return {
    id: 'unroutable',
    filters: [],
    fallback: [target],
    calendarId: undefined,
    whenClosed: 'reject',
    sticky: undefined,
    offerTimeoutMs: offerMs,
  };
}

export function basePriority(attrs: Attributes): number {
  const p = attrs['priority'];
  return typeof p === 'number' && Number.isFinite(p) ? p : 0;
}

/** A waiting task at the first target of its route, not yet placed. */
export function newTask(
  input: TaskInput,
  at: { seq: number; wf: CompiledWorkflow; route: Route; now: number; callback: Task['callback'] },
): Task {
  const first = at.route.targets[0] as CompiledTarget;
  return {
    id: input.id,
    seq: at.seq,
    channel: input.channel,
    attributes: input.attributes,
    customerId: input.customerId,
    contactId: input.contactId,
    workflow: at.wf,
    filterName: at.route.name,
    targets: at.route.targets,
    targetIndex: 0,
    targetEpoch: 0,
    targetSince: at.now,
    createdAt: input.createdAt ?? at.now,
    priority: first.priority + basePriority(input.attributes),
    status: 'waiting',
    bucket: undefined,
    preferred: undefined,
    rejectedBy: new Set(),
    offer: undefined,
    agent: undefined,
    assignedAt: 0,
    callback: at.callback,
  };
}
