import type { BusinessCalendar } from './calendar.ts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a state means for SLA clocks and lists. */
export type StateCategory = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

export interface WorkflowState {
  id: string;
  label?: string;
  /** Label per console language; `label` is the fallback. */
  labels?: { 'zh-CN'?: string; en?: string };
  category: StateCategory;
}

/** A condition on the ticket, for guards that apply only to some tickets. */
export interface FieldCondition {
  field: string;
  equals: string;
}

export type CustomGuard =
  /** The ticket must have been in `state` before (e.g. a junior engineer's queue). */
  | { kind: 'visited'; state: string; when?: FieldCondition }
  /** Someone at engineer `level` (department membership) must have held the ticket before. */
  | { kind: 'passed_level'; level: string; when?: FieldCondition };

export interface WorkflowTransition {
  from: string;
  to: string;
  /** Shown on the diagram, e.g. `escalate`. */
  name?: string;
  /** Custom fields that must be non-empty after the transition's own field updates. */
  requiredFields?: string[];
  /** Any one of these roles may take the transition (absent = anyone with tickets.write). */
  roles?: string[];
  /** Every one of these permissions is needed. */
  permissions?: string[];
  guards?: CustomGuard[];
  /** Tell the customer on their channel when this transition happens. */
  notify?: boolean;
}

export interface WorkflowInput {
  id: string;
  name: string;
  initial: string;
  states: WorkflowState[];
  transitions: WorkflowTransition[];
}

/** Immutable once published; a change publishes the next version. */
export interface Workflow extends WorkflowInput {
  version: number;
  createdAt: string;
  createdBy: string;
}

export interface DepartmentMember {
  userId: string;
  /** Engineer level, e.g. `L1`, `L2-junior`, `L2-senior`. */
  level?: string;
}

export interface Department {
  id: string;
  name: string;
  members: DepartmentMember[];
  /** Round-robin position; persisted so a restart continues the rotation. */
  cursor: number;
}

export type SlaKind = 'first_response' | 'next_response' | 'resolution';

export interface SlaTarget {
  firstResponseMinutes?: number;
  nextResponseMinutes?: number;
  resolutionMinutes?: number;
}

export type EscalationAction =
  | { kind: 'reassign'; departmentId?: string; userId?: string }
  | { kind: 'notify'; userId: string }
  | { kind: 'raise_priority' };

export interface SlaPolicy {
  id: string;
  name: string;
  calendar: BusinessCalendar;
  targets: Partial<Record<Priority, SlaTarget>>;
  escalations: Array<{ on: SlaKind; actions: EscalationAction[] }>;
}

/** SLA clocks of one ticket. Due times shift forward by the paused business time. */
export interface SlaClock {
  policyId: string;
  due: Partial<Record<SlaKind, string>>;
  pausedAt?: string;
  breached: SlaKind[];
}

export interface TicketLinks {
  conversationIds: string[];
  contactIds: string[];
  /** Tickets merged into this one, or the one this was merged into. */
  mergedFrom: string[];
  mergedInto?: string;
  splitFrom?: string;
}

export interface Ticket {
  id: string;
  number: string;
  subject: string;
  /** Decrypted; sealed at rest under the customer's key. */
  description: string;
  customerId?: string;
  /** Customer's language for notifications. */
  language: 'zh-CN' | 'en';
  departmentId?: string;
  assigneeId?: string;
  priority: Priority;
  workflowId: string;
  workflowVersion: number;
  state: string;
  /** States the ticket has been in, in order of first entry. */
  visited: string[];
  /** Levels of everyone who has held the ticket. */
  levelsPassed: string[];
  fields: Record<string, string>;
  tags: string[];
  links: TicketLinks;
  sla?: SlaClock;
  firstRespondedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface TicketNote {
  id: string;
  ticketId: string;
  author: string;
  /** Decrypted text; sealed at rest. */
  text: string;
  /** `reply` notes were also sent to the customer. */
  kind: 'internal' | 'reply';
  at: string;
}

export interface AttachmentMeta {
  id: string;
  ticketId: string;
  name: string;
  mime: string;
  bytes: number;
  author: string;
  at: string;
}

export interface HistoryEntry {
  seq: number;
  ticketId: string;
  at: string;
  actor: string;
  action: string;
  /** Field → old/new value; personal text fields show only that they changed. */
  changes: Record<string, { from?: unknown; to?: unknown }>;
}

/** Who is acting: guards check roles and permissions. */
export interface TicketActor {
  userId: string;
  roles: readonly string[];
  permissions: ReadonlySet<string>;
  source?: string;
}

/** The conversations port the tickets context uses to tell a customer (channel they used). */
export interface CustomerReplier {
  reply(contactId: string, message: { text: string }, actor: string): Promise<unknown>;
  /** Optional: delivers even when the contact has closed (preferred for notices when present). */
  followUp?(contactId: string, message: { text: string }, actor: string): Promise<unknown>;
  /** Optional: fills customer, conversation and language when a ticket is made from a contact. */
  getContact?(
    id: string,
  ): Promise<{ customerId: string; conversationId: string; attributes: Record<string, unknown> }>;
}
