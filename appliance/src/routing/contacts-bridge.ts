import type { DomainEvent, EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { EngineEvent } from './engine-types.ts';
import { RoutingError } from './errors.ts';
import type { RoutingService } from './service.ts';

const log = createLogger('routing.contacts');

/** What routing needs from conversations; checked structurally so routing does not import it. */
export interface ContactsPort {
  transition(
    contactId: string,
    to: 'queued' | 'offered' | 'active',
    options?: { agentId?: string; actor?: string },
  ): Promise<unknown>;
  /** Optional: contacts still queued/offered, to rebuild waiting tasks after a restart. */
  listQueued?(): Promise<
    Array<{
      id: string;
      customerId: string;
      channel: string;
      attributes: Record<string, string | number | boolean>;
      timeline: { queued?: string };
    }>
  >;
}

export function isContactsPort(x: unknown): x is ContactsPort {
  return typeof x === 'object' && x !== null && typeof (x as ContactsPort).transition === 'function';
}

interface QueuedData {
  contactId: string;
  customerId?: string;
  channel: string;
  attributes?: Record<string, string | number | boolean>;
  queuedAt?: string;
}

/**
 * Thin glue: `contact.queued` → a task (the contact id is the task id);
 * `contact.closed` / `contact.abandoned` → the task is dropped (capacity freed);
 * offers → contact transitions, chained per contact so they land in order.
 */
export function attachContacts(service: RoutingService, contacts: ContactsPort, bus: EventBus) {
  const chains = new Map<string, Promise<void>>();
  const transition = (
    contactId: string,
    to: 'queued' | 'offered' | 'active',
    opts: { agentId?: string; actor: string },
  ) => {
    const prev = chains.get(contactId) ?? Promise.resolve();
    const next = prev
      .then(() => contacts.transition(contactId, to, opts))
      .then(
        () => undefined,
        (err) => log.warn(`contact transition failed [contact:${contactId}] [to:${to}]`, { err }),
      );
    chains.set(contactId, next);
    void next.then(() => {
      if (chains.get(contactId) === next) chains.delete(contactId);
    });
  };
  const enqueue = (d: QueuedData) => {
    // The chatbot answers this chat first and enqueues it itself on handoff.
    if (d.attributes?.['bot'] === 'active') return;
    try {
      service.enqueue({
        id: d.contactId,
        contactId: d.contactId,
        channel: d.channel,
        attributes: d.attributes ?? {},
        ...(d.customerId ? { customerId: d.customerId } : {}),
        ...(d.queuedAt ? { createdAt: Date.parse(d.queuedAt) } : {}),
      });
    } catch (err) {
      // Our own requeue transition echoes contact.queued for a task we still hold.
      if (!(err instanceof RoutingError && err.code === 'ROUTING_TASK_EXISTS'))
        log.error('enqueue failed', { err });
    }
  };
  const offBus = bus.subscribe('*', (e: DomainEvent) => {
    const type = e.type as string;
    const data = e.data as unknown as QueuedData;
    if (type === 'contact.queued') enqueue(data);
    else if (type === 'contact.closed' || type === 'contact.abandoned')
      service.remove(data.contactId, type.slice(8));
  });
  const offDecisions = service.onDecision((e: EngineEvent) => {
    if (!('task' in e) || !e.task.contactId) return;
    const id = e.task.contactId;
    if (e.type === 'offer_created') transition(id, 'offered', { agentId: e.offer.agentId, actor: 'system' });
    else if (e.type === 'offer_accepted')
      transition(id, 'active', { agentId: e.offer.agentId, actor: e.offer.agentId });
    else if (
      (e.type === 'offer_rejected' || e.type === 'offer_timed_out' || e.type === 'offer_cancelled') &&
      service.engine.task(e.task.id)
    ) {
      transition(id, 'queued', { actor: 'system' });
    }
  });
  return {
    /** Waiting tasks are not persisted: they are rebuilt from conversations' queued contacts. */
    async rebuild(): Promise<number> {
      if (!contacts.listQueued) return 0;
      const list = await contacts.listQueued();
      for (const c of list) {
        enqueue({
          contactId: c.id,
          customerId: c.customerId,
          channel: c.channel,
          attributes: c.attributes,
          ...(c.timeline.queued ? { queuedAt: c.timeline.queued } : {}),
        });
      }
      return list.length;
    },
    close() {
      offBus();
      offDecisions();
    },
  };
}
