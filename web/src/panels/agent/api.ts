import type { ApiClient } from '../../data/api.ts';

export type AgentState = 'available' | 'not_ready' | 'offline';

export interface Offer {
  offerId: string;
  taskId: string;
  expiresAt: string;
  channel?: string;
  queueId?: string;
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
      task: { channel: string; queueId: string; attributes: Record<string, string | number | boolean> };
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
