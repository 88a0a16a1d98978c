import { randomUUID } from 'node:crypto';
import { InvalidStateError } from '../contracts/index.ts';
import type { CustomerService } from '../customers/index.ts';
import type { EventBus } from '../events/index.ts';
import { KeyedLock } from '../storage/index.ts';
import { checkAttachments, policyFor } from './attachments.ts';
import type { ContactListFilter } from './contact-index.ts';
import { ConversationsError } from './errors.ts';
import { assertTransition, isFinal } from './lifecycle.ts';
import { checkInbound, mustContact, notFound } from './message-rules.ts';
import { OutboundMessages } from './outbound.ts';
import { AttachmentQuarantine } from './quarantine.ts';
import { type ConversationStore, contactOf } from './store.ts';
import type {
  Attachment,
  AttachmentPolicy,
  Channel,
  ChannelSender,
  Contact,
  ContactEvent,
  ContactOpening,
  ContactState,
  InboundMessage,
  IngestResult,
  Message,
  QuarantinedAttachment,
  ReplyInput,
  TimelineEntry,
  TransitionOptions,
} from './types.ts';

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
  #outbound: OutboundMessages;
  #lock = new KeyedLock();
  #openHooks = new Set<(m: InboundMessage) => Record<string, string | number | boolean>>();
  #policies: Partial<Record<Channel, AttachmentPolicy>>;
  #quarantine: AttachmentQuarantine;

  constructor(
    store: ConversationStore,
    options: {
      customers: CustomerService;
      bus: EventBus;
      now?: () => Date;
      /** What each channel may store inbound; channels not named get the chat policy. */
      attachmentPolicies?: Partial<Record<Channel, AttachmentPolicy>>;
    },
  ) {
    this.#store = store;
    this.#policies = options.attachmentPolicies ?? {};
    this.#customers = options.customers;
    this.#bus = options.bus;
    this.#now = options.now ?? (() => new Date());
    this.#outbound = new OutboundMessages(store, {
      customers: this.#customers,
      bus: this.#bus,
      now: this.#now,
      lock: this.#lock,
    });
    this.#quarantine = new AttachmentQuarantine(store, { bus: this.#bus, lock: this.#lock, now: this.#now });
  }

  /** A channel's outbound side; one per channel, the last registration wins. */
  registerSender(sender: ChannelSender): () => void {
    return this.#outbound.registerSender(sender);
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
    checkInbound(msg, policyFor(this.#policies, msg.channel));
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
      const blocked = await this.#quarantine.keep(msg.blockedAttachments, customerId);
      const message: Message = {
        id: this.#store.inboundMessageId(dedupe),
        conversationId,
        contactId: contact.id,
        channel: msg.channel,
        direction: 'in',
        author: customerId,
        text: msg.text,
        attachments,
        ...(blocked.length ? { blockedAttachments: blocked } : {}),
        externalId: msg.externalId,
        at,
        delivery: 'delivered',
        ...(msg.meta ? { meta: msg.meta } : {}),
      };
      const quarantined = this.#quarantine.entries(message, customerId);
      // Message, index, quarantine entries and dedupe marker in one commit: a kill between
      // storing the message and the channel dropping its work item cannot make a second copy.
      if (
        !(await this.#store.addInbound(message, customerId, { dedupeKey: dedupe, quarantine: quarantined }))
      ) {
        const won = await this.#store.seen(dedupe);
        if (won) return { ...won, duplicate: true };
        throw new InvalidStateError(
          `Inbound message id taken without its dedupe marker [message:${message.id}]`,
        );
      }
      const result = { customerId, conversationId, contactId: contact.id, messageId: message.id };
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
      await this.#quarantine.announce(quarantined, contact, actor.userId);
      if (opened) await this.#publishState(contact, actor.userId);
      return { ...result, duplicate: false };
    });
  }

  /**
   * Opens a contact with no message (a call: what is said arrives as transcripts,
   * never as synthetic text). Idempotent per (channel, threadKey) while the
   * contact is open: a repeat returns the same contact with duplicate:true.
   */
  async openContact(o: ContactOpening): Promise<Omit<IngestResult, 'messageId'>> {
    const msg: InboundMessage = { ...o, text: '' };
    checkInbound(msg);
    return this.#lock.run(`t:${o.channel}:${o.threadKey}`, async () => {
      const thread = this.#store.threadKey(o.channel, o.threadKey);
      const currentId = await this.#store.threadContact(thread);
      const current = currentId ? await this.#store.contact(currentId) : undefined;
      if (current && !isFinal(current.state)) {
        const { customerId, conversationId, id: contactId } = current;
        return { customerId, conversationId, contactId, duplicate: true };
      }
      const actor = `channel:${o.channel}`;
      const { customerId } = await this.#customers.resolve(o.handles, {
        actor: { userId: actor },
        ...(o.displayName ? { displayName: o.displayName } : {}),
      });
      const conversationId = await this.#store.conversationOf(customerId, o.receivedAt.toISOString());
      const now = this.#now().toISOString();
      const contact: Contact = {
        id: randomUUID(),
        conversationId,
        customerId,
        channel: o.channel,
        threadKey: o.threadKey,
        state: 'queued',
        attributes: { ...(o.attributes ?? {}), ...this.#openingAttributes(msg) },
        createdAt: now,
        updatedAt: now,
        timeline: { queued: now },
      };
      await this.#store.putContact(contact);
      await this.#store.setThreadContact(thread, contact.id);
      await this.#publishState(contact, actor);
      return { customerId, conversationId, contactId: contact.id, duplicate: false };
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
      await this.#store.putContact(next, doc._rev, c);
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
      await this.#store.putContact(next, doc._rev, contactOf(doc));
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
    return this.#outbound.deliver(c, input, actor);
  }

  /**
   * A message to the customer on the contact's channel whatever the contact's
   * state: ticket progress reaches the customer after the live chat has closed,
   * in the same conversation.
   */
  async followUp(contactId: string, input: ReplyInput, actor: string): Promise<Message> {
    return this.#outbound.deliver(await this.getContact(contactId), input, actor);
  }

  /** An internal note: in the timeline for staff, never sent to the customer. */
  async note(contactId: string, text: string, actor: string): Promise<Message> {
    return this.#outbound.note(await this.getContact(contactId), text, actor);
  }

  /** A system or bot message shown to the customer, already delivered by the caller's channel. */
  async addOutbound(contactId: string, text: string, author = 'bot'): Promise<Message> {
    return this.#outbound.addOutbound(await this.getContact(contactId), text, author);
  }

  /** Delivery/read receipts only move forward (pending → sent → delivered → read). */
  markDelivery(messageId: string, delivery: Message['delivery']): Promise<void> {
    return this.#outbound.markDelivery(messageId, delivery);
  }

  getContact(id: string): Promise<Contact> {
    return mustContact(this.#store, id);
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

  /** A page of a contact listing, newest first (see ContactListFilter); `last` resumes it. */
  async pageContacts(
    filter: ContactListFilter,
    page: { limit: number; after?: string },
  ): Promise<{ contacts: Contact[]; last?: string }> {
    const res = await this.#store.pageContacts(filter, page);
    return { contacts: res.items, ...(res.last === undefined ? {} : { last: res.last }) };
  }

  /** The latest `limit` contacts of these customers, newest first; reads only those (an index walk). */
  async recentContacts(customerIds: string[], limit: number): Promise<Contact[]> {
    const each = await Promise.all(customerIds.map((id) => this.#store.recentContactsOf(id, limit)));
    return each
      .flat()
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, limit);
  }

  /** The latest `limit` messages of these customers on every channel, in time order. */
  async recentTimeline(customerIds: string[], limit: number): Promise<TimelineEntry[]> {
    const all: TimelineEntry[] = [];
    for (const id of customerIds) {
      const conv = await this.#store.existingConversationOf(id);
      if (conv) all.push(...(await this.#store.recentMessages(conv, limit)).map(({ type, ...m }) => m));
    }
    return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-limit);
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

  /** A stored file; a quarantined one is CONVERSATIONS_ATTACHMENT_BLOCKED (409) until an admin releases it. */
  async attachment(id: string) {
    const a = await this.#store.attachment(id);
    if (!a) throw notFound('attachment', id);
    if (a.blocked) {
      throw new ConversationsError(
        'CONVERSATIONS_ATTACHMENT_BLOCKED',
        `Attachment is quarantined [id:${id}]`,
        {
          status: 409,
        },
      );
    }
    return a;
  }

  /** Files channels' policies refused (newest first), optionally only those still blocked. */
  blockedAttachments(state?: QuarantinedAttachment['state']): Promise<QuarantinedAttachment[]> {
    return this.#quarantine.list(state);
  }

  /** An admin releases a quarantined file to its message (audited by its event). */
  releaseAttachment(id: string, actor: string): Promise<QuarantinedAttachment> {
    return this.#quarantine.release(id, actor);
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
