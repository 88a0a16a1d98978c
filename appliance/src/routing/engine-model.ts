import { OutOfRangeError } from '../contracts/index.ts';
import type { Calendar } from './calendar.ts';
import type {
  AgentProfile,
  AgentState,
  Attributes,
  Channel,
  ClosedAction,
  QueueConfig,
  TaskStatus,
  TaskView,
  WorkflowConfig,
} from './engine-types.ts';
import { ANY, compileExpression, type Expression } from './expr.ts';
import type { SortedList } from './sorted.ts';

export interface CompiledTarget {
  queueId: string;
  queueExpr: Expression;
  expr: Expression;
  /** `task.*` names the agent expression reads: they become part of the bucket key. */
  taskRefs: string[];
  priority: number;
  timeoutMs: number | undefined;
}

export interface CompiledWorkflow {
  id: string;
  filters: Array<{ name: string; expr: Expression; targets: CompiledTarget[] }>;
  fallback: CompiledTarget[] | undefined;
  calendarId: string | undefined;
  whenClosed: ClosedAction;
  sticky: { windowMs: number; offerMs: number } | undefined;
  offerTimeoutMs: number;
}

export interface Task {
  id: string;
  seq: number;
  channel: Channel;
  attributes: Attributes;
  customerId: string | undefined;
  contactId: string | undefined;
  workflow: CompiledWorkflow;
  filterName: string;
  targets: CompiledTarget[];
  targetIndex: number;
  /** Bumped whenever the target changes, so a stale relax deadline is ignored. */
  targetEpoch: number;
  targetSince: number;
  createdAt: number;
  priority: number;
  status: TaskStatus;
  bucket: Bucket | undefined;
  /** Sticky: held for this agent until `until`. */
  preferred: { agent: Agent; until: number } | undefined;
  rejectedBy: Set<string>;
  offer: Offer | undefined;
  agent: Agent | undefined;
  assignedAt: number;
  callback: { requestedAt: number } | undefined;
}

export interface Offer {
  id: string;
  task: Task;
  agent: Agent;
  createdAt: number;
  expiresAt: number;
  open: boolean;
}

/** Waiting tasks of one (queue, channel, agent expression, task values) shape, best first. */
export interface Bucket {
  key: string;
  queueId: string;
  channel: Channel;
  target: CompiledTarget;
  taskScope: Record<string, unknown>;
  eligible: Set<Agent>;
  tasks: SortedList<Task>;
}

export interface Agent {
  profile: AgentProfile;
  scope: Record<string, unknown>;
  state: AgentState;
  reason: string | undefined;
  stateSince: number;
  /** Longest-idle tie-break: when the agent last became free of work. */
  idleSince: number;
  /** The idleSince value under which the agent sits in the free lists. */
  indexedIdle: number;
  load: Map<Channel, number>;
  total: number;
  buckets: Set<Bucket>;
  /** Sticky tasks waiting for this agent's first offer. */
  reserved: Set<Task>;
  /** Channels whose free list holds this agent. */
  freeIn: Set<Channel>;
  offers: Set<Offer>;
}

/** Higher priority first, then older, then arrival order. */
export function taskOrder(a: Task, b: Task): number {
  return b.priority - a.priority || a.createdAt - b.createdAt || a.seq - b.seq;
}

export function agentOrder(a: Agent, b: Agent): number {
  return (
    a.indexedIdle - b.indexedIdle ||
    (a.profile.userId < b.profile.userId ? -1 : a.profile.userId > b.profile.userId ? 1 : 0)
  );
}

export function agentScope(p: AgentProfile): Record<string, unknown> {
  return { userId: p.userId, skills: p.skills, languages: p.languages, capacity: p.capacity };
}

export function hasFreeCapacity(a: Agent, channel: Channel): boolean {
  return (
    a.state === 'available' &&
    a.total < a.profile.totalCapacity &&
    (a.load.get(channel) ?? 0) < (a.profile.capacity[channel] ?? 0)
  );
}

export function compileTarget(
  t: { queue: string; agentExpression?: string; priority?: number; timeoutSeconds?: number },
  queues: ReadonlyMap<string, QueueConfig>,
): CompiledTarget {
  const q = queues.get(t.queue);
  if (!q) throw new OutOfRangeError('ROUTING_INVALID_CONFIG', `unknown queue '${t.queue}'`);
  const expr = t.agentExpression ? compileExpression(t.agentExpression) : ANY;
  return {
    queueId: q.id,
    queueExpr: q.agentExpression ? compileExpression(q.agentExpression) : ANY,
    expr,
    taskRefs: expr.refs.filter((r) => r.startsWith('task.')).map((r) => r.slice(5)),
    priority: t.priority ?? 0,
    timeoutMs: t.timeoutSeconds === undefined ? undefined : t.timeoutSeconds * 1000,
  };
}

export function compileWorkflow(
  w: WorkflowConfig,
  queues: ReadonlyMap<string, QueueConfig>,
  calendars: ReadonlyMap<string, Calendar>,
  defaultOfferMs: number,
): CompiledWorkflow {
  if (w.calendarId !== undefined && !calendars.has(w.calendarId)) {
    throw new OutOfRangeError('ROUTING_INVALID_CONFIG', `unknown calendar '${w.calendarId}'`);
  }
  return {
    id: w.id,
    filters: w.filters.map((f) => {
      if (f.targets.length === 0)
        throw new OutOfRangeError('ROUTING_INVALID_CONFIG', `filter '${f.name}' has no targets`);
      return {
        name: f.name,
        expr: compileExpression(f.expression),
        targets: f.targets.map((t) => compileTarget(t, queues)),
      };
    }),
    fallback: w.defaultTarget ? [compileTarget(w.defaultTarget, queues)] : undefined,
    calendarId: w.calendarId,
    whenClosed: w.whenClosed ?? 'reject',
    sticky: w.sticky
      ? { windowMs: w.sticky.windowSeconds * 1000, offerMs: w.sticky.offerSeconds * 1000 }
      : undefined,
    offerTimeoutMs: (w.offerTimeoutSeconds ?? defaultOfferMs / 1000) * 1000,
  };
}

export function viewOf(t: Task): TaskView {
  const target = t.targets[t.targetIndex] as CompiledTarget;
  return {
    id: t.id,
    channel: t.channel,
    attributes: t.attributes,
    ...(t.customerId === undefined ? {} : { customerId: t.customerId }),
    ...(t.contactId === undefined ? {} : { contactId: t.contactId }),
    status: t.status,
    queueId: target.queueId,
    targetIndex: t.targetIndex,
    filter: t.filterName,
    priority: t.priority,
    createdAt: t.createdAt,
    ...(t.callback ? { callback: { ...t.callback } } : {}),
    ...(t.agent ? { agentId: t.agent.profile.userId } : {}),
    ...(t.preferred ? { preferredAgentId: t.preferred.agent.profile.userId } : {}),
  };
}
