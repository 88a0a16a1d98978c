import type { ApiClient } from '../../data/api.ts';

export type Channel = 'webchat' | 'email' | 'wechat' | 'wecom' | 'voice';
export type ContactState = 'queued' | 'offered' | 'active' | 'wrap_up' | 'closed' | 'abandoned';

export interface ContactRow {
  id: string;
  conversationId: string;
  customerId: string;
  channel: Channel;
  state: ContactState;
  agentId?: string;
  attributes: Record<string, string | number | boolean>;
  createdAt: string;
  updatedAt: string;
  wrapUpCode?: string;
  /** When the contact entered each state (ISO). */
  timeline?: Partial<Record<ContactState, string>>;
}

export interface MessageRow {
  id: string;
  contactId: string;
  channel: Channel;
  direction: 'in' | 'out' | 'internal';
  author: string;
  text: string;
  attachments: Array<{ id: string; name: string; mime: string; bytes: number }>;
  /** Files the channel's policy quarantined: shown, not downloadable until an admin releases them. */
  blockedAttachments?: Array<{ id: string; name: string; mime: string; bytes: number; reason: string }>;
  at: string;
  delivery: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  meta?: Record<string, string>;
}

export interface Customer360 {
  profile: Record<string, unknown>;
  contacts: ContactRow[];
  timeline: Array<MessageRow & { customerId: string }>;
  tickets: unknown[];
}

/** States that belong in an agent's working list. */
export const WORKING: readonly ContactState[] = ['offered', 'active', 'wrap_up'];

/** Codes an agent picks when finishing; stored on the contact as `wrapUpCode`. */
export const WRAP_UP_CODES = ['resolved', 'follow_up', 'ticket_created', 'escalated', 'no_response'] as const;

const cp = (id: string) => `/api/contacts/${encodeURIComponent(id)}`;

export const getContact = (api: ApiClient, id: string) =>
  api.get<{ contact: ContactRow; messages: MessageRow[] }>(cp(id));
export const sendReply = (api: ApiClient, id: string, text: string) =>
  api.post<MessageRow>(`${cp(id)}/reply`, { text });
export const addNote = (api: ApiClient, id: string, text: string) =>
  api.post<MessageRow>(`${cp(id)}/notes`, { text });
export const moveContact = (api: ApiClient, id: string, to: ContactState, wrapUpCode?: string) =>
  api.post<ContactRow>(`${cp(id)}/transition`, wrapUpCode ? { to, wrapUpCode } : { to });
export const fetch360 = (api: ApiClient, customerId: string) =>
  api.get<Customer360>(`/api/customers/${encodeURIComponent(customerId)}/360`);

/** The email subject of a thread: the latest message that carries one. */
export function subjectOf(messages: readonly MessageRow[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const s = messages[i]?.meta?.['subject'];
    if (s) return s;
  }
  return undefined;
}

/** "Re: " once, as mail clients expect for a reply in the same thread. */
export const replySubject = (subject: string) => (/^re:/i.test(subject) ? subject : `Re: ${subject}`);
