import { type ApiClient, ApiError } from '../../data/api.ts';
import type { Calendar } from '../../data/calendar.ts';

export interface TicketRow {
  id: string;
  number: string;
  subject: string;
  state: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  assigneeId?: string;
  departmentId?: string;
  fields: Record<string, string>;
  links: { contactIds: string[]; conversationIds: string[]; mergedInto?: string };
  sla?: { due: Record<string, string>; breached: string[]; pausedAt?: string };
  createdAt: string;
}

export interface TicketDetail {
  ticket: TicketRow & { description: string };
  notes: Array<{ id: string; author: string; text: string; kind: 'internal' | 'reply'; at: string }>;
  attachments: Array<{ id: string; name: string; bytes: number }>;
  history: Array<{
    seq: number;
    at: string;
    actor: string;
    action: string;
    changes: Record<string, unknown>;
  }>;
  workflow: {
    states: WfState[];
    transitions: Array<{ from: string; to: string; requiredFields?: string[] }>;
  };
}

const tp = (id: string) => `/api/tickets/${encodeURIComponent(id)}`;

/** One page of the list, newest first; pass `nextCursor` back as `cursor` for the next. */
export const listTicketPage = (api: ApiClient, cursor?: string) =>
  api.get<{ tickets: TicketRow[]; nextCursor?: string }>('/api/tickets', cursor ? { cursor } : {});
export const getTicket = (api: ApiClient, id: string) => api.get<TicketDetail>(tp(id));
export const transitionTicket = (api: ApiClient, id: string, to: string, fields?: Record<string, string>) =>
  api.post<TicketRow>(`${tp(id)}/transitions`, fields ? { to, fields } : { to });
export const addNote = (api: ApiClient, id: string, text: string, kind: 'internal' | 'reply') =>
  api.post(`${tp(id)}/notes`, { text, kind });
export const createFromContact = (
  api: ApiClient,
  contactId: string,
  subject: string,
  description: string,
  options: { priority?: TicketRow['priority']; departmentId?: string; fields?: Record<string, string> } = {},
) => api.post<TicketRow>('/api/tickets/from-contact', { contactId, subject, description, ...options });
export const publishWorkflow = (api: ApiClient, wf: unknown) => api.post('/api/ticket-workflows', wf);

export type StateCategory = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export const STATE_CATEGORIES: readonly StateCategory[] = ['new', 'open', 'pending', 'resolved', 'closed'];
export type Guard = { kind: 'visited'; state: string } | { kind: 'passed_level'; level: string };
export interface WfState {
  id: string;
  label?: string;
  labels?: { 'zh-CN'?: string; en?: string };
  category: StateCategory;
}
export interface WfTransition {
  from: string;
  to: string;
  name?: string;
  requiredFields?: string[];
  roles?: string[];
  guards?: Guard[];
  notify?: boolean;
}
/** A workflow definition as the editor holds it (what publish sends). */
export interface WorkflowDef {
  id: string;
  name: string;
  initial: string;
  states: WfState[];
  transitions: WfTransition[];
}
/** One problem the appliance found, placed on a state or a transition (`from->to`). */
export interface WfProblem {
  reason: string;
  state?: string;
  transition?: string;
}

export const listWorkflows = async (api: ApiClient) =>
  (await api.get<{ workflows: Array<WorkflowDef & { version: number }> }>('/api/ticket-workflows')).workflows;
/** Resolves with no problems, or with every problem the appliance found. */
export async function validateWorkflowDef(api: ApiClient, wf: WorkflowDef): Promise<WfProblem[]> {
  try {
    await api.post('/api/ticket-workflows/validate', wf);
    return [];
  } catch (e) {
    if (e instanceof ApiError && e.code === 'TICKETS_INVALID_WORKFLOW') {
      const listed = e.details?.['problems'];
      return Array.isArray(listed) ? (listed as WfProblem[]) : [e.details as unknown as WfProblem];
    }
    throw e;
  }
}

export interface DepartmentDef {
  id: string;
  name: string;
  members: Array<{ userId: string; level?: string }>;
}
/** What still uses a department (the delete is refused while any list is not empty). */
export interface DepartmentUsedBy {
  tickets: Array<{ id: string; number: string }>;
  workflows: Array<{ id: string; name: string; level: string }>;
  policies: Array<{ id: string; name: string }>;
}
const dp = (id: string) => `/api/departments/${encodeURIComponent(id)}`;
export const listDepartments = async (api: ApiClient) =>
  (await api.get<{ departments: DepartmentDef[] }>('/api/departments')).departments;
export const saveDepartment = (api: ApiClient, d: DepartmentDef) =>
  api.put<DepartmentDef>(dp(d.id), { name: d.name, members: d.members });
export const deleteDepartment = (api: ApiClient, id: string) => api.delete(dp(id));

export const PRIORITY_LEVELS = ['urgent', 'high', 'normal', 'low'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];
export interface SlaTargetDef {
  firstResponseMinutes?: number;
  nextResponseMinutes?: number;
  resolutionMinutes?: number;
}
/** What an escalation does on breach (the appliance's EscalationAction). */
export type EscalationAction =
  | { kind: 'reassign'; departmentId?: string; userId?: string }
  | { kind: 'notify'; userId: string }
  | { kind: 'raise_priority' };
export interface EscalationRule {
  on: 'first_response' | 'next_response' | 'resolution';
  actions: EscalationAction[];
}
/** An SLA policy; its calendar is routing's business-hours format. */
export interface SlaPolicyDef {
  id: string;
  name: string;
  calendar: { timeZone: string; weekly: Calendar['weekly']; holidays?: string[] };
  targets: Partial<Record<PriorityLevel, SlaTargetDef>>;
  escalations: EscalationRule[];
}
export const listSlaPolicies = async (api: ApiClient) =>
  (await api.get<{ policies: SlaPolicyDef[] }>('/api/sla-policies')).policies;
export const putSlaPolicy = (api: ApiClient, p: SlaPolicyDef) => {
  const { id, ...rest } = p;
  return api.put<SlaPolicyDef>(`/api/sla-policies/${encodeURIComponent(id)}`, rest);
};
