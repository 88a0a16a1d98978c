import { randomUUID } from 'node:crypto';
import type { CustomerService } from '../customers/index.ts';
import type { EventBus } from '../events/index.ts';
import type { KeyedLock } from '../storage/index.ts';
import { checkAttachments } from './attachments.ts';
import { ConversationsError } from './errors.ts';
import { DELIVERY_RANK, invalid, MAX_TEXT, mustContact, notFound, REPLY_TO } from './message-rules.ts';
import type { ConversationStore, MessageDoc } from './store.ts';
import type { Attachment, Channel, ChannelSender, Contact, Handle, Message, ReplyInput } from './types.ts';

/**
 * The conversation service's own messages: agent replies delivered through
 * each channel's sender, internal notes, bot messages, and delivery receipts.
 */
export class OutboundMessages {
  #store: ConversationStore;
  #customers: CustomerService;
  #bus: EventBus;
  #now: () => Date;
  #lock: KeyedLock;
  #senders = new Map<Channel, ChannelSender>();

  constructor(
    store: ConversationStore,
    options: { customers: CustomerService; bus: EventBus; now: () => Date; lock: KeyedLock },
  ) {
    this.#store = store;
    this.#customers = options.customers;
    this.#bus = options.bus;
    this.#now = options.now;
    this.#lock = options.lock;
  }

  registerSender(sender: ChannelSender): () => void {
    this.#senders.set(sender.channel, sender);
    return () => {
      if (this.#senders.get(sender.channel) === sender) this.#senders.delete(sender.channel);
    };
  }

  /** Sends through the contact's channel sender; a send failure marks the message failed. */
  async deliver(c: Contact, input: ReplyInput, actor: string): Promise<Message> {
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

  async note(c: Contact, text: string, actor: string): Promise<Message> {
    if (!text.trim() || text.length > MAX_TEXT) throw invalid('A note needs 1–65536 characters', 'text');
    const m = await this.#addOwn(c, { direction: 'internal', text, author: actor, delivery: 'delivered' });
    await this.#bus.publish(
      'conversation.note_added',
      { ...this.#ids(c, m), direction: 'internal', recipientUserId: actor },
      { actor },
    );
    return m;
  }

  addOutbound(c: Contact, text: string, author: string): Promise<Message> {
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
    const c = await mustContact(this.#store, doc.contactId);
    await this.#bus.publish('conversation.message_status_changed', {
      messageId,
      contactId: doc.contactId,
      delivery,
      ...(c.agentId ? { recipientUserId: c.agentId } : {}),
    });
  }
}
