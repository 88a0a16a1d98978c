import type { RoutingEngine } from './engine.ts';
import type { Agent, Bucket, CompiledTarget } from './engine-model.ts';
import type { AgentState, Attributes, Channel } from './engine-types.ts';
import { RoutingError } from './errors.ts';

export interface WaitEstimate {
  taskId: string;
  queueId: string;
  /** 1 = next to be offered in its queue and channel. */
  position: number;
  /** null when no agent who could take it is signed in. */
  ewtSeconds: number | null;
  staffedSlots: number;
  averageHandleSeconds: number;
}

/**
 * Position and estimated wait time.
 *
 *   position = 1 + waiting tasks of the same queue and channel that sort ahead
 *              (priority, then age) — sticky holds count as position 1
 *   slots    = Σ over agents eligible for the task and in state `available`
 *              of min(capacity[channel], totalCapacity)
 *   EWT      = AHT × position / slots      (null when slots = 0)
 *
 * AHT is the mean of the queue/channel's last 50 handle times (accept →
 * complete), or `defaultHandleSeconds` before there is history.
 */
export function estimateWait(engine: RoutingEngine, taskId: string): WaitEstimate {
  const { tasks, buckets } = engine.internals;
  const t = tasks.get(taskId);
  if (!t) throw new RoutingError('ROUTING_NOT_FOUND', `No task ${taskId}`, { status: 404 });
  const target = t.targets[t.targetIndex] as CompiledTarget;
  let position = 1;
  if (t.status === 'waiting' && t.bucket) {
    for (const b of buckets.values()) {
      if (b.queueId === target.queueId && b.channel === t.channel) position += b.tasks.rank(t);
    }
  }
  let slots = 0;
  const staff: Iterable<Agent> = t.bucket?.eligible ?? (t.preferred ? [t.preferred.agent] : []);
  for (const a of staff) {
    if (a.state === 'available')
      slots += Math.min(a.profile.capacity[t.channel] ?? 0, a.profile.totalCapacity);
  }
  const ahtMs = engine.stats.averageMs(target.queueId, t.channel);
  return {
    taskId,
    queueId: target.queueId,
    position,
    ewtSeconds:
      t.status !== 'waiting' ? 0 : slots === 0 ? null : Math.round((ahtMs * position) / slots / 1000),
    staffedSlots: slots,
    averageHandleSeconds: Math.round(ahtMs / 1000),
  };
}

export interface MatchTestResult {
  workflowId: string;
  filter: string | null;
  targets: Array<{
    queueId: string;
    agentExpression: string;
    priority: number;
    timeoutSeconds: number | null;
    agents: Array<{
      userId: string;
      displayName?: string;
      matches: boolean;
      why: string;
      state: AgentState;
      free: boolean;
    }>;
  }>;
}

/** Which agents each target of the matching filter would reach, and why the others would not. */
export function matchTest(
  engine: RoutingEngine,
  input: { attributes: Attributes; channel: Channel; workflowId?: string },
): MatchTestResult {
  const { workflows, defaultWorkflow, agents, route, eligible } = engine.internals;
  const wf = input.workflowId === undefined ? defaultWorkflow : workflows.get(input.workflowId);
  if (!wf) throw new RoutingError('ROUTING_NOT_FOUND', 'No such workflow', { status: 404 });
  const r = route(wf, input.channel, input.attributes);
  if (!r) return { workflowId: wf.id, filter: null, targets: [] };
  return {
    workflowId: wf.id,
    filter: r.name,
    targets: r.targets.map((target) => {
      const taskScope: Record<string, unknown> = {};
      for (const ref of target.taskRefs) taskScope[ref] = input.attributes[ref];
      const probe = { channel: input.channel, target, taskScope } as Bucket;
      const rows = [...agents.values()].map((a) => {
        const matches = eligible(a, probe);
        const free = a.freeIn.has(input.channel);
        return {
          userId: a.profile.userId,
          ...(a.profile.displayName ? { displayName: a.profile.displayName } : {}),
          matches,
          why: explain(a, target, input.channel, matches),
          state: a.state,
          free,
        };
      });
      rows.sort((x, y) => Number(y.matches) - Number(x.matches) || Number(y.free) - Number(x.free));
      return {
        queueId: target.queueId,
        agentExpression: target.expr.source,
        priority: target.priority,
        timeoutSeconds: target.timeoutMs === undefined ? null : target.timeoutMs / 1000,
        agents: rows,
      };
    }),
  };
}

function explain(a: Agent, t: CompiledTarget, channel: Channel, matches: boolean): string {
  const facts = t.expr.refs
    .concat(t.queueExpr.refs)
    .filter((ref) => !ref.startsWith('task.'))
    .map((ref) => `${ref}=${JSON.stringify(read(a.scope, ref)) ?? 'missing'}`);
  const known = facts.length ? ` (${[...new Set(facts)].join(', ')})` : '';
  if (matches) return `matches queue '${t.queueId}' and '${t.expr.source}'${known}`;
  if (!(a.profile.capacity[channel] ?? 0)) return `takes no ${channel} (capacity 0)`;
  if (!t.queueExpr.test(a.scope)) return `not in queue '${t.queueId}': fails '${t.queueExpr.source}'${known}`;
  return `fails '${t.expr.source}'${known}`;
}

function read(scope: Record<string, unknown>, ref: string): unknown {
  let cur: unknown = scope;
  for (const k of ref.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
