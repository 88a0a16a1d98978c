import type { EventCatalogue } from '../events/index.ts';
import type { EngineEvent } from './engine-types.ts';

export type BusOut = { [K in keyof EventCatalogue]: [K, EventCatalogue[K], string] }[keyof EventCatalogue];

/** The bus event (name, data, actor) for an engine decision; undefined for decisions that are not published. */
export function toBusEvent(e: EngineEvent): BusOut | undefined {
  const contact = (t: { contactId?: string }) => (t.contactId ? { contactId: t.contactId } : {});
  switch (e.type) {
    case 'agent_state_changed':
      return [
        'agent.state_changed',
        {
          userId: e.userId,
          state: e.state,
          previous: e.previous,
          ...(e.reason ? { reason: e.reason } : {}),
          recipientUserId: e.userId,
        },
        e.reason === 'rona' ? 'system' : e.userId,
      ];
    case 'task_queued':
      return [
        'routing.task_queued',
        {
          taskId: e.task.id,
          ...contact(e.task),
          queueId: e.task.queueId,
          channel: e.task.channel,
          priority: e.task.priority,
        },
        'system',
      ];
    case 'task_rejected':
      return ['routing.task_rejected', { taskId: e.taskId, ...contact(e), reason: e.reason }, 'system'];
    case 'task_relaxed':
      return [
        'routing.task_relaxed',
        { taskId: e.task.id, ...contact(e.task), fromQueue: e.fromQueue, toQueue: e.task.queueId },
        'system',
      ];
    case 'offer_created':
      return [
        'routing.offer_created',
        {
          offerId: e.offer.id,
          taskId: e.task.id,
          ...contact(e.task),
          agentId: e.offer.agentId,
          recipientUserId: e.offer.agentId,
          channel: e.task.channel,
          queueId: e.task.queueId,
          expiresAt: new Date(e.offer.expiresAt).toISOString(),
          timeoutSeconds: Math.round((e.offer.expiresAt - e.offer.createdAt) / 1000),
          attributes: e.task.attributes,
          ...(e.task.customerId ? { customerId: e.task.customerId } : {}),
        },
        'system',
      ];
    case 'offer_accepted':
    case 'offer_rejected':
    case 'offer_timed_out':
    case 'offer_cancelled': {
      const data = {
        offerId: e.offer.id,
        taskId: e.task.id,
        ...contact(e.task),
        agentId: e.offer.agentId,
        recipientUserId: e.offer.agentId,
      };
      const actor = e.type === 'offer_accepted' || e.type === 'offer_rejected' ? e.offer.agentId : 'system';
      return [`routing.${e.type}`, data, actor] as BusOut;
    }
    case 'task_completed':
      return [
        'routing.task_completed',
        {
          taskId: e.task.id,
          ...contact(e.task),
          agentId: e.agentId,
          handleSeconds: Math.round(e.handleMs / 1000),
        },
        e.agentId,
      ];
    case 'task_removed':
      return ['routing.task_removed', { taskId: e.task.id, ...contact(e.task), reason: e.reason }, 'system'];
    case 'task_unroutable':
      return [
        'routing.task_unroutable',
        {
          taskId: e.task.id,
          ...contact(e.task),
          queueId: e.task.queueId,
          channel: e.task.channel,
          reason: e.reason,
        },
        'system',
      ];
    case 'callback_requested':
      return ['routing.callback_requested', { taskId: e.task.id, ...contact(e.task) }, 'system'];
  }
  return undefined;
}
