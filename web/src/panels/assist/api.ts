import type { ApiClient } from '../../data/api.ts';

export interface Suggestion {
  kind: 'kb' | 'past_reply';
  title: string;
  text: string;
  articleId?: string;
}

export interface AssistView {
  contactId: string;
  customerId: string;
  intent?: { intent: string; p: number };
  sentimentTrend: number[];
  history: {
    lastContacts: Array<{ id: string; channel: string; state: string; createdAt: string; intent?: string }>;
    openTickets: Array<{ id: string; number: string; subject: string; state: string }>;
    orders: Array<{ orderNo: string; date: string; status: string; amount: number }>;
  };
  suggestions: Suggestion[];
}

export const fetchAssist = (api: ApiClient, contactId: string) =>
  api.get<AssistView>(`/api/assist/contacts/${encodeURIComponent(contactId)}`);

/** A mood word for a lexicon score in [-1, 1]. */
export const mood = (s: number): 'negative' | 'neutral' | 'positive' =>
  s <= -0.2 ? 'negative' : s >= 0.2 ? 'positive' : 'neutral';
