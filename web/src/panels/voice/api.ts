import type { ApiClient } from '../../data/api.ts';

export interface FlowRow {
  id: string;
  name: string;
  version: number;
  savedAt: string;
}

export interface FlowCheck {
  valid: boolean;
  error?: { code: string; node: string; reason: string; message: string };
}

export interface LiveCall {
  id: string;
  state: string;
  startedAt: string;
  contactId?: string;
  queue?: string;
  agentUserId?: string;
}

export interface RecordingRow {
  callId: string;
  startedAt: string;
  status: 'recording' | 'complete' | 'interrupted';
  truncated: boolean;
  legs: string[];
  pausedFor: string[];
}

export interface BlockedSource {
  source: string;
  reason: 'auth_failures' | 'flood' | 'trunk_flood' | 'manual';
  since: string;
  until: string;
  requests: number;
}

export const fetchFlows = async (api: ApiClient) => (await api.get<{ flows: FlowRow[] }>('/api/flows')).flows;
export const fetchFlow = async (api: ApiClient, id: string) =>
  (await api.get<{ flow: Record<string, unknown> }>(`/api/flows/${encodeURIComponent(id)}`)).flow;
export const validateFlow = (api: ApiClient, flow: Record<string, unknown>) =>
  api.post<FlowCheck>('/api/flows/validate', { flow });
export const saveFlow = (api: ApiClient, id: string, flow: Record<string, unknown>) =>
  api.put(`/api/flows/${encodeURIComponent(id)}`, { flow });
export const fetchCalls = async (api: ApiClient) =>
  (await api.get<{ calls: LiveCall[] }>('/api/voice/calls')).calls;
export const fetchRecordings = async (api: ApiClient) =>
  (await api.get<{ recordings: RecordingRow[] }>('/api/voice/recordings')).recordings;
/** A plain link: the session cookie authorises the GET, and the server audits the read. */
export const recordingUrl = (callId: string) => `/api/voice/recordings/${encodeURIComponent(callId)}/wav`;
export const fetchBlockedSources = async (api: ApiClient) =>
  (await api.get<{ sources: BlockedSource[] }>('/api/voice/blocked-sources')).sources;
export const releaseSource = (api: ApiClient, source: string) =>
  api.delete(`/api/voice/blocked-sources/${encodeURIComponent(source)}`);
