import type { ApiClient } from '../../data/api.ts';
import type { Calendar } from '../../data/calendar.ts';

export type ConfigKind = 'queues' | 'skills' | 'workflows' | 'calendars';
export const CONFIG_KINDS: readonly ConfigKind[] = ['queues', 'skills', 'workflows', 'calendars'];

export interface QueueItem {
  id: string;
  name: string;
  agentExpression?: string;
}
export interface SkillItem {
  id: string;
  name: string;
  description?: string;
}
export interface TargetItem {
  queue: string;
  agentExpression?: string;
  priority?: number;
  timeoutSeconds?: number;
}
export interface WorkflowItem {
  id: string;
  name: string;
  filters: Array<{ name: string; expression: string; targets: TargetItem[] }>;
  defaultTarget?: TargetItem;
  calendarId?: string;
  whenClosed?: 'reject' | 'callback' | 'offline';
  isDefault?: boolean;
  [more: string]: unknown;
}

export interface RoutingConfig {
  queues: QueueItem[];
  skills: SkillItem[];
  workflows: WorkflowItem[];
  calendars: Calendar[];
  reasonCodes: string[];
}

/** Who uses an item, from a refused delete (ROUTING_IN_USE `details.usedBy`). */
export interface UsedBy {
  kind: 'queue' | 'workflow' | 'profile' | 'flow';
  id: string;
  name: string;
}

export interface AgentRow {
  userId: string;
  displayName?: string;
  skills: Record<string, number>;
  languages: string[];
  capacity: Record<string, number>;
  totalCapacity: number;
  state: string;
  reason?: string;
  load: number;
}

export interface MatchRow {
  userId: string;
  displayName?: string;
  matches: boolean;
  why: string;
  state: string;
  free: boolean;
}

export interface MatchResult {
  workflowId: string;
  filter: string | null;
  targets: Array<{
    queueId: string;
    agentExpression: string;
    priority: number;
    timeoutSeconds: number | null;
    agents: MatchRow[];
  }>;
}

export const fetchConfig = (api: ApiClient) => api.get<RoutingConfig>('/api/routing/config');
export const fetchAgents = async (api: ApiClient) =>
  (await api.get<{ agents: AgentRow[] }>('/api/routing/agents')).agents;
/** `id` is part of the path; the body is the rest of the item. */
export const saveItem = (api: ApiClient, kind: ConfigKind | 'agents', id: string, body: object) =>
  api.put(`/api/routing/${kind}/${encodeURIComponent(id)}`, body);
export const deleteItem = (api: ApiClient, kind: ConfigKind | 'agents', id: string) =>
  api.delete(`/api/routing/${kind}/${encodeURIComponent(id)}`);
export const matchTest = (
  api: ApiClient,
  body: { channel: string; attributes: Record<string, unknown>; workflowId?: string },
) => api.post<MatchResult>('/api/routing/match-test', body);

/** The agent profiles a queue condition matches, checked as a save would check it. */
export const expressionCheck = async (api: ApiClient, expression: string) =>
  (
    await api.post<{
      matches: Array<{ userId: string; displayName?: string; skills: Record<string, number> }>;
    }>('/api/routing/expression-check', { expression })
  ).matches;
export const saveReasonCodes = (api: ApiClient, codes: string[]) =>
  api.put('/api/routing/reason-codes', { codes });
