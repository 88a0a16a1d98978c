import type { Calendar } from './calendar.ts';

/** Channel names match conversations' Channel; the engine treats them as opaque strings. */
export type Channel = string;
export type AgentState = 'available' | 'not_ready' | 'offline';
export type Attributes = Record<string, string | number | boolean>;

export interface QueueConfig {
  id: string;
  name: string;
  /** Who staffs the queue, over agent fields (`skills.x`, `languages`, `userId`); empty = everyone. */
  agentExpression?: string;
}

export interface TargetConfig {
  queue: string;
  /** Narrows the queue's agents; may read the task as `task.<attribute>`. */
  agentExpression?: string;
  /** Higher first; added to the task's own `priority` attribute. */
  priority?: number;
  /** After this long at this target the task relaxes to the next one; absent = waits here. */
  timeoutSeconds?: number;
}

export interface FilterConfig {
  name: string;
  /** Over task attributes plus `channel`. */
  expression: string;
  targets: TargetConfig[];
}

export type ClosedAction = 'reject' | 'callback' | 'offline';

export interface WorkflowConfig {
  id: string;
  name: string;
  /** First matching filter wins. */
  filters: FilterConfig[];
  /** Used when no filter matches; absent = the task goes to FALLBACK_QUEUE as unroutable (an alarm). */
  defaultTarget?: TargetConfig;
  /** Business hours; outside them `whenClosed` applies (default 'reject'). */
  calendarId?: string;
  whenClosed?: ClosedAction;
  /** The agent who last served the customer within `windowSeconds` gets the first `offerSeconds`. */
  sticky?: { windowSeconds: number; offerSeconds: number };
  offerTimeoutSeconds?: number;
  /** The workflow for tasks that name none; else the first one. */
  isDefault?: boolean;
}

export interface AgentProfile {
  userId: string;
  displayName?: string;
  /** Skill id → level 1–5. */
  skills: Record<string, number>;
  languages: string[];
  /** Channel → concurrent tasks (voice 1, webchat 3, email 5); missing = cannot take the channel. */
  capacity: Record<string, number>;
  /** Cap across all channels at once. */
  totalCapacity: number;
}

export interface RoutingConfig {
  queues: QueueConfig[];
  workflows: WorkflowConfig[];
  calendars: Calendar[];
}

export interface TaskInput {
  id: string;
  channel: Channel;
  attributes: Attributes;
  customerId?: string;
  contactId?: string;
  workflowId?: string;
  /** Original arrival (epoch ms): age, and the place kept across requeues and restarts. */
  createdAt?: number;
  preferredAgentId?: string;
}

export type TaskStatus = 'waiting' | 'offered' | 'assigned';

export interface TaskView {
  id: string;
  channel: Channel;
  attributes: Attributes;
  customerId?: string;
  contactId?: string;
  status: TaskStatus;
  queueId: string;
  targetIndex: number;
  filter: string;
  priority: number;
  createdAt: number;
  callback?: { requestedAt: number };
  agentId?: string;
  preferredAgentId?: string;
}

export interface OfferView {
  id: string;
  taskId: string;
  agentId: string;
  createdAt: number;
  expiresAt: number;
}

export type EngineEvent =
  | { type: 'task_queued'; task: TaskView }
  | { type: 'task_rejected'; taskId: string; reason: 'closed' | 'offline'; contactId?: string }
  | { type: 'task_relaxed'; task: TaskView; fromQueue: string }
  | {
      type: 'offer_created' | 'offer_accepted' | 'offer_rejected' | 'offer_timed_out' | 'offer_cancelled';
      offer: OfferView;
      task: TaskView;
    }
  | { type: 'task_removed'; task: TaskView; reason: string }
  /** No workflow or no route matched: the task went to the fallback queue instead of being parked. */
  | { type: 'task_unroutable'; task: TaskView; reason: UnroutableReason }
  | { type: 'task_completed'; task: TaskView; agentId: string; handleMs: number }
  | { type: 'callback_requested'; task: TaskView }
  | { type: 'agent_state_changed'; userId: string; state: AgentState; previous: AgentState; reason?: string };

export type UnroutableReason = 'no_workflow' | 'no_route';

/** Where a contact no workflow can route goes (DESIGN §7: never silently parked). */
export const FALLBACK_QUEUE = 'general';

export interface Clock {
  now(): number;
}

export type EnqueueOutcome =
  | { status: 'queued'; task: TaskView }
  | { status: 'rejected'; reason: 'closed' | 'offline' };
