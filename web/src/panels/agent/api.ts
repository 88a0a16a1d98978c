import type { ApiClient } from '../../data/api.ts';

export type AgentState = 'available' | 'not_ready' | 'offline';

export interface Offer {
  offerId: string;
  taskId: string;
  expiresAt: string;
  channel?: string;
  queueId?: string;
  queueName?: string;
  /** When the customer started waiting (ms since epoch): the card shows the wait ticking. */
  waitingSince?: number;
  /** From the agent's replica of its contacts (masked by the appliance per role). */
  customerName?: string;
  preview?: string;
  attributes?: Record<string, string | number | boolean>;
}

export interface MyState {
  userId: string;
  state: AgentState;
  reason?: string;
  since: string;
  reasonCodes: string[];
  offers: Array<
    Offer & {
      /** The queue's name as the admin saved it (agents cannot read the queue list). */
      queueName?: string;
      task: {
        channel: string;
        queueId: string;
        attributes: Record<string, string | number | boolean>;
        /** When the customer started waiting (ms since epoch). */
        createdAt?: number;
      };
    }
  >;
}

export const fetchMyState = (api: ApiClient) => api.get<MyState>('/api/routing/me/state');
export const setMyState = (api: ApiClient, state: AgentState, reason?: string) =>
  api.put<MyState>('/api/routing/me/state', reason ? { state, reason } : { state });
export const acceptOffer = (api: ApiClient, id: string) =>
  api.post(`/api/routing/offers/${encodeURIComponent(id)}/accept`);
export const rejectOffer = (api: ApiClient, id: string) =>
  api.post(`/api/routing/offers/${encodeURIComponent(id)}/reject`);

/** Seconds left until `expiresAt`, never negative. */
export function secondsLeft(expiresAt: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

/** "m:ss" (or "h:mm:ss") for a wait or a wrap-up timer. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const mmss = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}` : mmss;
}
