import type { ApiClient } from '../../data/api.ts';

export type ConfigKind = 'queues' | 'skills' | 'workflows' | 'calendars';
export const CONFIG_KINDS: readonly ConfigKind[] = ['queues', 'skills', 'workflows', 'calendars'];

export type RoutingConfig = Record<ConfigKind, Array<{ id: string; name: string }>> & {
  reasonCodes: string[];
};

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
