import type { AgentState } from './engine-types.ts';
import type { RoutingService } from './service.ts';

export interface SkillConfig {
  id: string;
  name: string;
  description?: string;
}

/** Reasons an agent may give for not-ready; 'rona' is set by the system only. */
export const DEFAULT_REASON_CODES = ['break', 'lunch', 'training', 'meeting', 'after_call_work'] as const;
export const SYSTEM_REASON_CODES = ['rona'] as const;

export type ConfigKind = 'queue' | 'skill' | 'workflow' | 'calendar' | 'profile' | 'reasons' | 'closed-reply';

interface OfferEventData {
  offerId: string;
  taskId: string;
  contactId?: string;
  agentId: string;
  /** The WebSocket gateway pushes the event to this user's consoles only. */
  recipientUserId: string;
}

declare module '../modules.ts' {
  interface Services {
    routing: RoutingService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'agent.state_changed': {
      userId: string;
      state: AgentState;
      previous: AgentState;
      reason?: string;
      recipientUserId: string;
    };
    'routing.task_queued': {
      taskId: string;
      contactId?: string;
      queueId: string;
      channel: string;
      priority: number;
    };
    'routing.task_rejected': { taskId: string; contactId?: string; reason: string };
    'routing.task_relaxed': { taskId: string; contactId?: string; fromQueue: string; toQueue: string };
    'routing.offer_created': OfferEventData & {
      channel: string;
      queueId: string;
      expiresAt: string;
      timeoutSeconds: number;
      attributes: Record<string, string | number | boolean>;
      customerId?: string;
    };
    'routing.offer_accepted': OfferEventData;
    'routing.offer_rejected': OfferEventData;
    'routing.offer_timed_out': OfferEventData;
    'routing.offer_cancelled': OfferEventData;
    'routing.task_completed': { taskId: string; contactId?: string; agentId: string; handleSeconds: number };
    'routing.task_removed': { taskId: string; contactId?: string; reason: string };
    /** No workflow routed the contact: it waits in the fallback queue `queueId` and an alarm is raised. */
    'routing.task_unroutable': {
      taskId: string;
      contactId?: string;
      queueId: string;
      channel: string;
      reason: 'no_workflow' | 'no_route';
    };
    'routing.callback_requested': { taskId: string; contactId?: string };
    'routing.config_changed': { kind: ConfigKind; id: string; deleted: boolean };
  }
}
