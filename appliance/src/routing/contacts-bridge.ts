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
  /** Optional: a message to the customer whatever the contact's state (the out-of-hours reply). */
  followUp?(contactId: string, input: { text: string }, actor: string): Promise<unknown>;
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

/** Channels where a customer waits for a written answer: they are told when the branch will reply. */
const AUTO_REPLY_CHANNELS = new Set(['email', 'wechat', 'wecom']);

interface QueuedData {
  contactId: string;
  customerId?: string;
  channel: string;
  attributes?: Record<string, string | number | boolean>;
  queuedAt?: string;
}

/**
 * Thin glue: `contact.queued` → a task (the contact id is the task id; a
 * contact queued again while assigned is re-routed, see onQueued);
 * `contact.closed` / `contact.abandoned` → the task is dropped (capacity freed);
 * offers → contact transitions, chained per contact so they land in order.
 */
export function attachContacts(
  service: RoutingService,
  contacts: ContactsPort,
  bus: EventBus,
  options: { retryMs?: number } = {},
) {
  const chains = new Map<string, Promise<void>>();
  /** Requeues routing itself asked for (a reject, RONA): their `contact.queued` echo is not a transfer. */
  const ownRequeues = new Map<string, number>();
  const countOwn = (contactId: string, by: number) => {
    const n = (ownRequeues.get(contactId) ?? 0) + by;
    if (n > 0) ownRequeues.set(contactId, n);
    else ownRequeues.delete(contactId);
  };
  /** Contacts that arrived while the branch was closed: kept, and routed once the calendar opens. */
  const deferred = new Map<string, QueuedData>();
  const transition = (
    contactId: string,
    to: 'queued' | 'offered' | 'active',
    opts: { agentId?: string; actor: string },
  ) => {
    const prev = chains.get(contactId) ?? Promise.resolve();
    if (to === 'queued') countOwn(contactId, 1);
    const next = prev
      .then(() => contacts.transition(contactId, to, opts))
      .then(
        () => undefined,
        (err) => {
          if (to === 'queued') countOwn(contactId, -1);
          log.warn(`contact transition failed [contact:${contactId}] [to:${to}]`, { err });
        },
      );
    chains.set(contactId, next);
    void next.then(() => {
      if (chains.get(contactId) === next) chains.delete(contactId);
    });
  };
  const enqueue = (d: QueuedData, live = false) => {
    // The chatbot answers this chat first and enqueues it itself on handoff.
    if (d.attributes?.['bot'] === 'active') return;
    try {
      const out = service.enqueue({
        id: d.contactId,
        contactId: d.contactId,
        channel: d.channel,
        attributes: d.attributes ?? {},
        ...(d.customerId ? { customerId: d.customerId } : {}),
        ...(d.queuedAt ? { createdAt: Date.parse(d.queuedAt) } : {}),
      });
      if (out.status === 'rejected') {
        deferred.set(d.contactId, d);
        if (live && AUTO_REPLY_CHANNELS.has(d.channel)) autoReply(d);
      }
    } catch (err) {
      // Our own requeue transition echoes contact.queued for a task we still hold.
      if (!(err instanceof RoutingError && err.code === 'ROUTING_TASK_EXISTS'))
        log.error('enqueue failed', { err });
    }
  };
  /**
   * A contact queued again while its task is still assigned was transferred back
   * to a queue (blind transfer, a frozen agent's call): the old assignment is
   * dropped (the agent's capacity freed) and the task re-enters routing with its
   * original queue time, so it is offered ahead of later contacts.
   */
  const onQueued = (d: QueuedData) => {
    if (ownRequeues.has(d.contactId)) {
      countOwn(d.contactId, -1);
      return;
    }
    const held = service.engine.task(d.contactId);
    if (held?.status === 'assigned') {
      service.remove(d.contactId, 'requeued');
      log.info(`contact transferred back to a queue [contact:${d.contactId}] [agentId:${held.agentId}]`);
    }
    enqueue(d, !held);
  };
  const autoReply = (d: QueuedData) => {
    if (!contacts.followUp) return;
    const closedReply = service.closedReply();
    const lang = String(d.attributes?.['language'] ?? '');
    const text = lang.startsWith('zh')
      ? closedReply.zh
      : lang.startsWith('en')
        ? closedReply.en
        : `${closedReply.zh}\n\n${closedReply.en}`;
    contacts
      .followUp(d.contactId, { text }, 'system')
      .catch((err) => log.warn(`out-of-hours reply failed [contact:${d.contactId}]`, { err }));
  };
  const retryDeferred = () => {
    if (deferred.size === 0) return;
    try {
      if (!service.isOpenNow()) return;
    } catch {
      return;
    }
    const due = [...deferred.values()];
    deferred.clear();
    for (const d of due) enqueue(d);
    log.info(`the branch opened: routing ${due.length} contacts kept while closed`);
  };
  const offBus = bus.subscribe('*', (e: DomainEvent) => {
    const type = e.type as string;
    const data = e.data as unknown as QueuedData;
    if (type === 'contact.queued') onQueued(data);
    else if (type === 'contact.closed' || type === 'contact.abandoned') {
      deferred.delete(data.contactId);
      service.remove(data.contactId, type.slice(8));
    } else if (type === 'contact.active') deferred.delete(data.contactId);
    // An edited calendar (a holiday taken back, longer hours) may open the branch now.
    else if (type === 'routing.config_changed') retryDeferred();
  });
  const timer = setInterval(retryDeferred, options.retryMs ?? 30_000);
  timer.unref();
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
    /** Contacts kept while closed, waiting for opening time. */
    deferredCount(): number {
      return deferred.size;
    },
    close() {
      clearInterval(timer);
      offBus();
      offDecisions();
    },
  };
}
