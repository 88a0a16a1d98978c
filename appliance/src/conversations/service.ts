import { randomUUID } from 'node:crypto';
import type { CustomerService } from '../customers/index.ts';
import type { EventBus } from '../events/index.ts';
import { KeyedLock } from '../storage/index.ts';
import { checkAttachments } from './attachments.ts';
import { ConversationsError } from './errors.ts';
import { assertTransition, isFinal } from './lifecycle.ts';
import { type ConversationStore, contactOf, type MessageDoc } from './store.ts';
import type {
  Attachment,
  Channel,
  ChannelSender,
  Contact,
  ContactEvent,
  ContactState,
  Handle,
  HandleKind,
  InboundMessage,
  IngestResult,
  Message,
  ReplyInput,
  TimelineEntry,
  TransitionOptions,
} from './types.ts';

const CHANNELS: ReadonlySet<Channel> = new Set(['webchat', 'email', 'wechat', 'wecom', 'voice']);
const REPLY_TO: Record<Channel, HandleKind[]> = {
  webchat: ['web_visitor'],
  email: ['email'],
  wechat: ['wechat_openid'],
  wecom: ['wecom_external'],
  voice: ['phone'],
};
const DELIVERY_RANK: Record<Message['delivery'], number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 1,
};
const MAX_TEXT = 64 * 1024;

function invalid(message: string, field: string): ConversationsError {
  return new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', message, { details: { field } });
}

function checkInbound(m: InboundMessage): void {
  if (!CHANNELS.has(m.channel)) throw new TypeError(`Unknown channel: ${JSON.stringify(m.channel)}`);
  if (!m.externalId || m.externalId.length > 998)
    throw invalid('externalId must be 1–998 characters', 'externalId');
  if (!m.threadKey || m.threadKey.length > 998)
    throw invalid('threadKey must be 1–998 characters', 'threadKey');
  if (typeof m.text !== 'string' || m.text.length > MAX_TEXT)
    throw invalid(`text exceeds ${MAX_TEXT} characters`, 'text');
  if (!(m.receivedAt instanceof Date) || Number.isNaN(m.receivedAt.getTime()))
    throw invalid('Bad receivedAt', 'receivedAt');
  checkAttachments(m.attachments);
}

/**
 * Conversations and contacts: ingest from every channel (de-duplicated by
 * platform id), the contact lifecycle with an event per transition, agent
 * replies through each channel's sender, and the cross-channel timeline.
 */
export class ConversationService {
  #store: ConversationStore;
  #customers: CustomerService;
  #bus: EventBus;
  #now: () => Date;
  #senders = new Map<Channel, ChannelSender>();
  #lock = new KeyedLock();
  #openHooks = new Set<(m: InboundMessage) => Record<string, string | number | boolean>>();

  constructor(
    store: ConversationStore,
    options: { customers: CustomerService; bus: EventBus; now?: () => Date },
  ) {
    this.#store = store;
    this.#customers = options.customers;
    this.#bus = options.bus;
    this.#now = options.now ?? (() => new Date());
  }

  /** A channel's outbound side; one per channel, the last registration wins. */
  registerSender(sender: ChannelSender): () => void {
    this.#senders.set(sender.channel, sender);
    return () => {
      if (this.#senders.get(sender.channel) === sender) this.#senders.delete(sender.channel);
    };
  }

  /**
   * Adds routing attributes to each contact a message opens, before
   * `contact.queued` is published (the chatbot marks the chats it answers first).
   */
  onContactOpening(hook: (m: InboundMessage) => Record<string, string | number | boolean>): () => void {
    this.#openHooks.add(hook);
    return () => this.#openHooks.delete(hook);
  }

  /** Stores an inbound message once; a repeat of (channel, externalId) returns the same ids with duplicate:true. */
  async ingest(msg: InboundMessage): Promise<IngestResult> {
    checkInbound(msg);
    const dedupe = this.#store.dedupeKey(msg.channel, msg.externalId);
    // One lock per thread keeps a thread's messages in arrival order and makes the dedupe check atomic.
    return this.#lock.run(`t:${msg.channel}:${msg.threadKey}`, async () => {
      const prior = await this.#store.seen(dedupe);
      if (prior) return { ...prior, duplicate: true };
      const actor = { userId: `channel:${msg.channel}` };
      const { customerId } = await this.#customers.resolve(msg.handles, {
        actor,
        ...(msg.displayName ? { displayName: msg.displayName } : {}),
      });
      const at = msg.receivedAt.toISOString();
      const conversationId = await this.#store.conversationOf(customerId, at);
      const thread = this.#store.threadKey(msg.channel, msg.threadKey);
      const currentId = await this.#store.threadContact(thread);
      let contact = currentId
        ? await this.#store.contact(currentId).then((d) => (d ? contactOf(d) : undefined))
        : undefined;
      const opened = !contact || isFinal(contact.state);
      if (!contact || opened) {
        const now = this.#now().toISOString();
        contact = {
          id: randomUUID(),
          conversationId,
          customerId,
          channel: msg.channel,
          threadKey: msg.threadKey,
          state: 'queued',
          attributes: { ...(msg.attributes ?? {}), ...this.#openingAttributes(msg) },
          createdAt: now,
          updatedAt: now,
          timeline: { queued: now },
        };
        await this.#store.putContact(contact);
        await this.#store.setThreadContact(thread, contact.id);
      }
      const attachments: Attachment[] = [];
      for (const a of msg.attachments ?? []) attachments.push(await this.#store.addAttachment(a, customerId));
      const message: Message = {
        id: randomUUID(),
        conversationId,
        contactId: contact.id,
        channel: msg.channel,
        direction: 'in',
        author: customerId,
        text: msg.text,
        attachments,
        externalId: msg.externalId,
        at,
        delivery: 'delivered',
        ...(msg.meta ? { meta: msg.meta } : {}),
      };
      await this.#store.addMessage(message, customerId);
      const result = { customerId, conversationId, contactId: contact.id, messageId: message.id };
      await this.#store.markSeen(dedupe, result);
      await this.#bus.publish(
        'conversation.message_received',
        {
          ...result,
          channel: msg.channel,
          direction: 'in',
          ...(contact.agentId ? { recipientUserId: contact.agentId } : {}),
        },
        { actor: actor.userId },
      );
      if (opened) await this.#publishState(contact, actor.userId);
      return { ...result, duplicate: false };
    });
  }

  #openingAttributes(msg: InboundMessage): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const hook of this.#openHooks) Object.assign(out, hook(msg));
    return out;
  }

  /** Moves a contact through its lifecycle; an illegal move is CONVERSATIONS_INVALID_TRANSITION (409). */
  async transition(contactId: string, to: ContactState, options: TransitionOptions = {}): Promise<Contact> {
    return this.#lock.run(`c:${contactId}`, async () => {
      const doc = await this.#store.contact(contactId);
      if (!doc) throw notFound('contact', contactId);
      const c = contactOf(doc);
      assertTransition(c.state, to);
      const now = this.#now().toISOString();
      const next: Contact = { ...c, state: to, updatedAt: now, timeline: { ...c.timeline } };
      next.timeline[to] ??= now;
      if (to === 'queued') delete next.agentId;
      else if (options.agentId) next.agentId = options.agentId;
      if (options.wrapUpCode) next.wrapUpCode = options.wrapUpCode;
      await this.#store.putContact(next, doc._rev);
      await this.#publishState(next, options.actor ?? 'system', now);
      return next;
    });
  }

  async #publishState(c: Contact, actor: string, at = c.updatedAt): Promise<void> {
    const data: ContactEvent = {
      contactId: c.id,
      conversationId: c.conversationId,
      customerId: c.customerId,
      channel: c.channel,
      attributes: c.attributes,
      queuedAt: c.timeline.queued ?? c.createdAt,
      at,
      ...(c.agentId ? { agentId: c.agentId, recipientUserId: c.agentId } : {}),
      ...(c.wrapUpCode ? { wrapUpCode: c.wrapUpCode } : {}),
    };
    await this.#bus.publish(`contact.${c.state}`, data, { actor, at: new Date(at) });
  }

  /** Merges routing attributes into a contact (language, intent, csat …). */
  async setAttributes(
    contactId: string,
    attrs: Record<string, string | number | boolean>,
    actor = 'system',
  ): Promise<Contact> {
    return this.#lock.run(`c:${contactId}`, async () => {
      const doc = await this.#store.contact(contactId);
      if (!doc) throw notFound('contact', contactId);
      const next = {
        ...contactOf(doc),
        attributes: { ...doc.attributes, ...attrs },
        updatedAt: this.#now().toISOString(),
      };
      await this.#store.putContact(next, doc._rev);
      await this.#bus.publish(
        'contact.attributes_changed',
        { contactId, keys: Object.keys(attrs) },
        { actor },
      );
      return next;
    });
  }

  /** An agent's reply, delivered through the contact's channel sender; a send failure marks it failed. */
  async reply(contactId: string, input: ReplyInput, actor: string): Promise<Message> {
    const c = await this.getContact(contactId);
    if (c.state !== 'active' && c.state !== 'wrap_up') {
      throw new ConversationsError('CONVERSATIONS_INVALID_STATE', `Cannot reply to a ${c.state} contact`, {
        status: 409,
      });
    }
    return this.#deliver(c, input, actor);
  }

  /**
   * A message to the customer on the contact's channel whatever the contact's
   * state: ticket progress reaches the customer after the live chat has closed,
   * in the same conversation.
   */
  async followUp(contactId: string, input: ReplyInput, actor: string): Promise<Message> {
    return this.#deliver(await this.getContact(contactId), input, actor);
  }

  async #deliver(c: Contact, input: ReplyInput, actor: string): Promise<Message> {
    const sender = this.#senders.get(c.channel);
    if (!sender) {
      throw new ConversationsError('CONVERSATIONS_NO_SENDER', `No sender for channel ${c.channel}`, {
        status: 409,
      });
    }
    if (!input.text.trim() && !input.attachments?.length)
      throw invalid('A reply needs text or attachments', 'text');
    if (input.text.length > MAX_TEXT) throw invalid(`text exceeds ${MAX_TEXT} characters`, 'text');
    checkAttachments(input.attachments);
    const message = await this.#addOwn(
      c,
      { direction: 'out', text: input.text, author: actor, delivery: 'pending' },
      input.attachments,
    );
    const to: Handle[] = (await this.#customers.handlesOf(c.customerId)).filter((h) =>
      REPLY_TO[c.channel].includes(h.kind),
    );
    try {
      const r = await sender.send({ contact: c, message, to });
      message.delivery = 'sent';
      if (r.externalId) message.externalId = r.externalId;
    } catch {
      message.delivery = 'failed';
    }
    await this.#updateMessage(message.id, (m) => {
      m.delivery = message.delivery;
      if (message.externalId) m.externalId = message.externalId;
    });
    await this.#bus.publish(
      'conversation.message_sent',
      { ...this.#ids(c, message), direction: 'out', delivery: message.delivery, recipientUserId: actor },
      { actor },
    );
    return message;
  }

  /** An internal note: in the timeline for staff, never sent to the customer. */
  async note(contactId: string, text: string, actor: string): Promise<Message> {
    const c = await this.getContact(contactId);
    if (!text.trim() || text.length > MAX_TEXT) throw invalid('A note needs 1–65536 characters', 'text');
    const m = await this.#addOwn(c, { direction: 'internal', text, author: actor, delivery: 'delivered' });
    await this.#bus.publish(
      'conversation.note_added',
      { ...this.#ids(c, m), direction: 'internal', recipientUserId: actor },
      { actor },
    );
    return m;
  }

  /** A system or bot message shown to the customer, already delivered by the caller's channel. */
  async addOutbound(contactId: string, text: string, author = 'bot'): Promise<Message> {
    const c = await this.getContact(contactId);
    return this.#addOwn(c, { direction: 'out', text, author, delivery: 'sent' });
  }

  async #addOwn(
    c: Contact,
    m: Pick<Message, 'direction' | 'text' | 'author' | 'delivery'>,
    files?: ReplyInput['attachments'],
  ): Promise<Message> {
    const attachments: Attachment[] = [];
    for (const a of files ?? []) attachments.push(await this.#store.addAttachment(a, c.customerId));
    const message: Message = {
      id: randomUUID(),
      conversationId: c.conversationId,
      contactId: c.id,
      channel: c.channel,
      attachments,
      at: this.#now().toISOString(),
      ...m,
    };
    await this.#store.addMessage(message, c.customerId);
    return message;
  }

  #ids(c: Contact, m: Message) {
    return {
      conversationId: c.conversationId,
      contactId: c.id,
      customerId: c.customerId,
      messageId: m.id,
      channel: c.channel,
    };
  }

  async #updateMessage(id: string, change: (m: MessageDoc) => void): Promise<MessageDoc> {
    return this.#lock.run(`m:${id}`, async () => {
      const doc = await this.#store.message(id);
      if (!doc) throw notFound('message', id);
      change(doc);
      await this.#store.putMessage(doc);
      return doc;
    });
  }

  /** Delivery/read receipts only move forward (pending → sent → delivered → read). */
  async markDelivery(messageId: string, delivery: Message['delivery']): Promise<void> {
    let changed = false;
    const doc = await this.#updateMessage(messageId, (m) => {
      if (
        DELIVERY_RANK[delivery] > DELIVERY_RANK[m.delivery] ||
        (delivery === 'failed' && m.delivery === 'pending')
      ) {
        m.delivery = delivery;
        changed = true;
      }
    });
    if (!changed) return;
    const c = await this.getContact(doc.contactId);
    await this.#bus.publish('conversation.message_status_changed', {
      messageId,
      contactId: doc.contactId,
      delivery,
      ...(c.agentId ? { recipientUserId: c.agentId } : {}),
    });
  }

  async getContact(id: string): Promise<Contact> {
    const d = await this.#store.contact(id);
    if (!d) throw notFound('contact', id);
    return contactOf(d);
  }

  async getMessage(id: string): Promise<TimelineEntry | undefined> {
    const d = await this.#store.message(id);
    if (!d) return undefined;
    const { _id, _rev, type, ...m } = d;
    return m;
  }

  /** Contacts, optionally only one agent's and only some states (a scan; fine at branch scale). */
  async listContacts(
    filter: { agentId?: string; states?: ContactState[]; customerIds?: string[] } = {},
  ): Promise<Contact[]> {
    return (await this.#store.contacts()).filter(
      (c) =>
        (!filter.agentId || c.agentId === filter.agentId) &&
        (!filter.states || filter.states.includes(c.state)) &&
        (!filter.customerIds || filter.customerIds.includes(c.customerId)),
    );
  }

  async messagesOf(conversationId: string): Promise<TimelineEntry[]> {
    return (await this.#store.messages(conversationId)).map(({ type, ...m }) => m);
  }

  /** Every message of these customers on every channel, in time order. */
  async timeline(customerIds: string[]): Promise<TimelineEntry[]> {
    const all: TimelineEntry[] = [];
    for (const id of customerIds) {
      const conv = await this.#store.existingConversationOf(id);
      if (conv) all.push(...(await this.messagesOf(conv)));
    }
    return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async attachment(id: string) {
    const a = await this.#store.attachment(id);
    if (!a) throw notFound('attachment', id);
    return a;
  }

  /** Stores a file before the message that carries it (web chat uploads first, then sends). */
  async storeAttachment(
    input: NonNullable<ReplyInput['attachments']>[number],
    customerId: string,
  ): Promise<Attachment> {
    checkAttachments([input]);
    return this.#store.addAttachment(input, customerId);
  }
}

function notFound(what: string, id: string): ConversationsError {
  return new ConversationsError('CONVERSATIONS_NOT_FOUND', `No ${what} [id:${id}]`, { status: 404 });
}
