import type {
  LegalHold as LegalHoldRow,
  RetentionPolicy,
} from '../../../../appliance/src/contracts/index.ts';
import type { ApiClient } from '../../data/api.ts';
import { type PageTail, pageQuery } from '../../data/paging.ts';

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
  /** Retention class (from the call's queue). */
  class?: string;
  queue?: string;
  customerId?: string;
  /** Active legal holds covering it; non-empty = kept past retention, its customer not erasable. */
  holds?: string[];
}

export type { LegalHoldRow, RetentionPolicy };

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
/** One page of recordings, newest first; pass `nextCursor` back as `cursor` for the next. */
export const fetchRecordingPage = (api: ApiClient, cursor?: string) =>
  api.get<{ recordings: RecordingRow[] } & PageTail>('/api/voice/recordings', pageQuery(cursor));
/** A plain link: the session cookie authorises the GET, and the server audits the read. */
export const recordingUrl = (callId: string) => `/api/voice/recordings/${encodeURIComponent(callId)}/wav`;
export const fetchBlockedSources = async (api: ApiClient) =>
  (await api.get<{ sources: BlockedSource[] }>('/api/voice/blocked-sources')).sources;
export const releaseSource = (api: ApiClient, source: string) =>
  api.delete(`/api/voice/blocked-sources/${encodeURIComponent(source)}`);

export interface DeskPhone {
  username: string;
  userId?: string;
  allowOutbound: boolean;
  maxConcurrentCalls: number;
  /** Media encryption (SDES-SRTP over SIP TLS). */
  srtp: SrtpPolicy;
  registered: boolean;
  createdAt: string;
}

export type SrtpPolicy = 'required' | 'optional' | 'off';

export interface TrunkRow {
  name: string;
  host: string;
  port: number;
  registered: boolean;
  username?: string;
  transport?: 'udp' | 'tcp' | 'tls';
  register?: boolean;
  srtp?: SrtpPolicy;
}

export interface TrunkInput {
  name: string;
  host: string;
  port?: number;
  transport?: 'udp' | 'tcp' | 'tls';
  username: string;
  password: string;
  register?: boolean;
  srtp?: SrtpPolicy;
}

const phonePath = (u: string) => `/api/voice/sip-accounts/${encodeURIComponent(u)}`;
export const fetchPhones = async (api: ApiClient) =>
  (await api.get<{ accounts: DeskPhone[] }>('/api/voice/sip-accounts')).accounts;
export const createPhone = (
  api: ApiClient,
  body: {
    username: string;
    password: string;
    userId?: string;
    allowOutbound?: boolean;
    maxConcurrentCalls?: number;
    srtp?: SrtpPolicy;
  },
) => api.post('/api/voice/sip-accounts', body);
export const updatePhone = (
  api: ApiClient,
  username: string,
  patch: {
    userId?: string | null;
    password?: string;
    allowOutbound?: boolean;
    maxConcurrentCalls?: number;
    srtp?: SrtpPolicy;
  },
) => api.patch(phonePath(username), patch);
export const deletePhone = (api: ApiClient, username: string) => api.delete(phonePath(username));
/** The appliance rings the phone and plays a prompt in `language`; 409 VOICE_PHONE_NOT_REGISTERED. */
export const testCallPhone = (api: ApiClient, username: string, language: 'en' | 'zh') =>
  api.post<{ answered: boolean; callId: string }>(`${phonePath(username)}/test-call`, { language });
export const fetchTrunks = async (api: ApiClient) =>
  (await api.get<{ trunks: TrunkRow[] }>('/api/voice/trunks')).trunks;
export const saveTrunk = (api: ApiClient, body: TrunkInput) => api.put('/api/voice/trunks', body);
export const deleteTrunk = (api: ApiClient, name: string) =>
  api.delete(`/api/voice/trunks/${encodeURIComponent(name)}`);
export const fetchHolds = async (api: ApiClient) =>
  (await api.get<{ holds: LegalHoldRow[] }>('/api/voice/holds')).holds;
export const placeHold = (
  api: ApiClient,
  hold: { kind: LegalHoldRow['kind']; targetId: string; reason: string; caseRef?: string },
) => api.post<LegalHoldRow>('/api/voice/holds', hold);
export const releaseHold = (api: ApiClient, id: string, reason: string) =>
  api.post<LegalHoldRow>(`/api/voice/holds/${encodeURIComponent(id)}/release`, { reason });
export const fetchRetentionPolicy = (api: ApiClient) =>
  api.get<RetentionPolicy>('/api/voice/recordings-retention/policy');
export const saveRetentionPolicy = (api: ApiClient, policy: RetentionPolicy) =>
  api.put<RetentionPolicy>('/api/voice/recordings-retention/policy', policy);
