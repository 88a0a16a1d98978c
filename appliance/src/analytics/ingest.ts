import type { DomainEvent } from '../events/index.ts';
import type { StoredDoc } from '../storage/index.ts';
import type { CustomerSignals } from './churn.ts';
import { bucketOf } from './kpi.ts';
import type { LiveState } from './live.ts';
import type { AnalyticsStore } from './store.ts';
import type { ContactFact } from './types.ts';

const CONTACT_STATES = new Set(['queued', 'offered', 'active', 'wrap_up', 'closed', 'abandoned']);
const STAMP: Record<string, 'activeAt' | 'wrapAt' | 'closedAt' | 'abandonedAt'> = {
  active: 'activeAt',
  wrap_up: 'wrapAt',
  closed: 'closedAt',
  abandoned: 'abandonedAt',
};
const TICKET_DONE = /resolv|clos|cancel|done|merged/i;
const KEEP_EVENTS = 64;
const KEEP_CONTACTS = 200;

type Data = Record<string, unknown>;
const str = (d: Data, k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);

/**
 * Applies one domain event to the stored facts; returns the bucket whose
 * interval rows must be re-folded, if any. Idempotent: an event id already
 * folded into a fact is skipped, timestamps are set once.
 */
export async function ingest(
  store: AnalyticsStore,
  live: LiveState,
  e: DomainEvent,
): Promise<{ bucket?: string; changed: boolean }> {
  const d = e.data as unknown as Data;
  const [ctx, what = ''] = e.type.split('.');
  if (ctx === 'contact' && CONTACT_STATES.has(what)) return contactEvent(store, live, e, what);
  if (e.type === 'contact.csat_recorded') {
    const contactId = str(d, 'contactId');
    const score = d['score'];
    if (!contactId || typeof score !== 'number') return { changed: false };
    const bucket = await updateFact(store, e, contactId, (f) => {
      f.csat = score;
    });
    if (bucket)
      await touchSignals(store, str(d, 'customerId'), (s) => markContact(s, contactId, { csat: score }));
    return bucket ? { bucket, changed: true } : { changed: false };
  }
  if (e.type === 'routing.task_queued' || e.type === 'routing.task_relaxed') {
    const contactId = str(d, 'contactId');
    const queue = str(d, 'queueId') ?? str(d, 'toQueue');
    if (!contactId || !queue) return { changed: false };
    const bucket = await updateFact(store, e, contactId, (f) => {
      f.queue = queue;
    });
    if (!bucket) live.holdQueue(contactId, queue);
    live.requeue(contactId, queue);
    return bucket ? { bucket, changed: true } : { changed: false };
  }
  if (e.type === 'routing.task_unroutable') {
    const contactId = str(d, 'contactId');
    if (contactId) live.unroutable(contactId);
    return { changed: true };
  }
  if (e.type === 'agent.state_changed') {
    const userId = str(d, 'userId');
    const state = str(d, 'state');
    if (userId && state) live.agent(userId, state);
    return { changed: true };
  }
  if (ctx === 'ticket') await ticketEvent(store, e.type, d);
  if (e.type === 'customer.shredded') {
    const customerId = str(d, 'customerId');
    if (customerId) await store.removeSignals(customerId);
  }
  return { changed: false };
}

async function contactEvent(store: AnalyticsStore, live: LiveState, e: DomainEvent, state: string) {
  const d = e.data as unknown as Data;
  const contactId = str(d, 'contactId');
  const queuedAt = str(d, 'queuedAt') ?? e.at;
  const at = str(d, 'at') ?? e.at;
  if (!contactId) return { changed: false };
  const bucket = bucketOf(queuedAt);
  const prior = await store.fact(bucket, contactId);
  if (prior?.events.includes(e.id)) return { changed: false };
  const attrs = (d['attributes'] ?? {}) as Data;
  const fact: ContactFact & { _rev?: string } = prior ?? {
    contactId,
    customerId: str(d, 'customerId') ?? '',
    channel: str(d, 'channel') ?? 'unknown',
    queue: live.takeQueue(contactId) ?? str(attrs, 'queue') ?? '-',
    bucket,
    queuedAt,
    state,
    stateAt: at,
    events: [],
  };
  const stamp = STAMP[state];
  if (stamp) fact[stamp] ??= at;
  const agentId = str(d, 'agentId');
  if (agentId) fact.agentId = agentId;
  const intent = str(attrs, 'intent');
  if (intent) fact.intent = intent;
  const wrapUpCode = str(d, 'wrapUpCode');
  if (wrapUpCode) fact.wrapUpCode = wrapUpCode;
  if (at >= fact.stateAt) {
    fact.state = state;
    fact.stateAt = at;
  }
  fact.events = [...fact.events, e.id].slice(-KEEP_EVENTS);
  await store.putFact({ ...fact, _id: '' }, !prior);
  live.contact(contactId, fact.state, {
    queuedAt: fact.queuedAt,
    queue: fact.queue,
    ...(fact.agentId ? { agentId: fact.agentId } : {}),
  });
  if (!prior) await touchSignals(store, fact.customerId, (s) => markContact(s, contactId, { at: queuedAt }));
  if (state === 'abandoned')
    await touchSignals(store, fact.customerId, (s) => markContact(s, contactId, { abandoned: true }));
  return { bucket, changed: true };
}

async function updateFact(
  store: AnalyticsStore,
  e: DomainEvent,
  contactId: string,
  change: (f: StoredDoc<ContactFact>) => void,
): Promise<string | undefined> {
  const bucket = await store.bucketOfContact(contactId);
  if (!bucket) return undefined;
  const fact = await store.fact(bucket, contactId);
  if (!fact || fact.events.includes(e.id)) return undefined;
  change(fact);
  fact.events = [...fact.events, e.id].slice(-KEEP_EVENTS);
  await store.putFact(fact, false);
  return bucket;
}

function markContact(
  s: CustomerSignals,
  contactId: string,
  patch: { at?: string; abandoned?: boolean; csat?: number },
): void {
  let c = s.contacts.find((x) => x.contactId === contactId);
  if (!c) {
    if (!patch.at) return;
    c = { contactId, at: patch.at };
    s.contacts.push(c);
    s.contacts.sort((a, b) => a.at.localeCompare(b.at));
    if (s.contacts.length > KEEP_CONTACTS) s.contacts.splice(0, s.contacts.length - KEEP_CONTACTS);
  }
  if (patch.abandoned) c.abandoned = true;
  if (patch.csat !== undefined) c.csat = patch.csat;
}

async function touchSignals(
  store: AnalyticsStore,
  customerId: string | undefined,
  change: (s: CustomerSignals) => void,
): Promise<void> {
  if (!customerId) return;
  const s = (await store.signals(customerId)) ?? {
    _id: `u:${customerId}`,
    customerId,
    contacts: [],
    escalatedTickets: [],
  };
  change(s);
  await store.putSignals(s);
}

async function ticketEvent(store: AnalyticsStore, type: string, d: Data): Promise<void> {
  const ticketId = str(d, 'ticketId');
  if (!ticketId) return;
  if (type === 'ticket.created') {
    const customerId = str(d, 'customerId');
    if (customerId) await store.setTicketCustomer(ticketId, customerId);
    return;
  }
  const escalated = type === 'ticket.escalated';
  const done =
    (type === 'ticket.transitioned' && TICKET_DONE.test(str(d, 'to') ?? '')) || type === 'ticket.merged';
  if (!escalated && !done) return;
  const customerId = await store.ticketCustomer(ticketId);
  await touchSignals(store, customerId, (s) => {
    const rest = s.escalatedTickets.filter((t) => t !== ticketId);
    s.escalatedTickets = escalated ? [...rest, ticketId] : rest;
  });
}
