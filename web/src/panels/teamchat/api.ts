import type { ApiClient } from '../../data/api.ts';

export type Presence = 'online' | 'away' | 'offline';
export interface Person {
  id: string;
  username: string;
  displayName: string;
  presence: Presence;
}
export interface Channel {
  id: string;
  kind: 'direct' | 'group' | 'consult';
  name?: string;
  memberIds: string[];
  seq: number;
  unread?: number;
  contactId?: string;
  contactLink?: string;
}
export interface ChatMessage {
  id: string;
  seq: number;
  authorId: string;
  body: string | null;
  mentions: string[];
  createdAt: string;
}

const ch = (id: string) => `/api/teamchat/channels/${encodeURIComponent(id)}`;

export const fetchPeople = async (api: ApiClient) =>
  (await api.get<{ people: Person[] }>('/api/teamchat/people')).people;
export const fetchChannels = async (api: ApiClient) =>
  (await api.get<{ channels: Channel[] }>('/api/teamchat/channels')).channels;
export const openDirect = (api: ApiClient, userId: string) =>
  api.post<Channel>('/api/teamchat/channels', { kind: 'direct', userId });
export const createGroup = (api: ApiClient, name: string, memberIds: string[]) =>
  api.post<Channel>('/api/teamchat/channels', { kind: 'group', name, memberIds });
export const fetchMessages = async (api: ApiClient, id: string) =>
  (await api.get<{ messages: ChatMessage[] }>(`${ch(id)}/messages`)).messages;
export const postMessage = (api: ApiClient, id: string, body: string) =>
  api.post<ChatMessage>(`${ch(id)}/messages`, { body });
export const markRead = (api: ApiClient, id: string, seq: number) =>
  api.post<void>(`${ch(id)}/read`, { seq });
export const heartbeat = (api: ApiClient, status: 'online' | 'away') =>
  api.post<void>('/api/teamchat/presence', { status });
export const startConsult = (
  api: ApiClient,
  input: { contactId: string; expertUserId: string; topic: string },
) => api.post<Channel>('/api/teamchat/consults', input);
