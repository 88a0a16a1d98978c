import type { EventBus } from '../events/index.ts';
import type { KeyedLock } from '../storage/index.ts';
import { ConversationsError } from './errors.ts';
import { notFound } from './message-rules.ts';
import type { ConversationStore } from './store.ts';
import type {
  AttachmentQuarantineEvent,
  BlockedAttachment,
  BlockedAttachmentInput,
  Contact,
  Message,
  QuarantinedAttachment,
} from './types.ts';

function eventOf(q: QuarantinedAttachment, agentId: string | undefined): AttachmentQuarantineEvent {
  return {
    attachmentId: q.id,
    messageId: q.messageId,
    contactId: q.contactId,
    customerId: q.customerId,
    channel: q.channel,
    mime: q.mime,
    bytes: q.bytes,
    reason: q.reason,
    ...(agentId ? { recipientUserId: agentId } : {}),
  };
}

/**
 * Files a channel's policy refused. They are kept (encrypted under the
 * customer's key like any attachment, but not downloadable), listed on their
 * message for the agent, and listed for an admin who may release one: then it
 * becomes an ordinary attachment of that message. Every block and release is a
 * domain event, so the audit log records it.
 */
export class AttachmentQuarantine {
  #store: ConversationStore;
  #bus: EventBus;
  #lock: KeyedLock;
  #now: () => Date;

  constructor(store: ConversationStore, o: { bus: EventBus; lock: KeyedLock; now: () => Date }) {
    this.#store = store;
    this.#bus = o.bus;
    this.#lock = o.lock;
    this.#now = o.now;
  }

  /** Stores the refused files' bytes (blocked) before the message that lists them. */
  async keep(files: BlockedAttachmentInput[] | undefined, customerId: string): Promise<BlockedAttachment[]> {
    const out: BlockedAttachment[] = [];
    for (const f of files ?? []) {
      out.push({ ...(await this.#store.addAttachment(f, customerId, true)), reason: f.reason });
    }
    return out;
  }

  /** The admin's list entries for a message; the store writes them in the message's own commit. */
  entries(message: Message, customerId: string): QuarantinedAttachment[] {
    return (message.blockedAttachments ?? []).map((b) => ({
      ...b,
      messageId: message.id,
      contactId: message.contactId,
      customerId,
      channel: message.channel,
      at: message.at,
      state: 'blocked',
    }));
  }

  async announce(entries: QuarantinedAttachment[], contact: Contact, actor: string): Promise<void> {
    for (const q of entries) {
      await this.#bus.publish('conversation.attachment_blocked', eventOf(q, contact.agentId), { actor });
    }
  }

  async list(state?: QuarantinedAttachment['state']): Promise<QuarantinedAttachment[]> {
    const all = await this.#store.quarantineList();
    return (state ? all.filter((q) => q.state === state) : all).sort((a, b) => (a.at < b.at ? 1 : -1));
  }

  /** Releases a quarantined file to its message; a second release is CONVERSATIONS_INVALID_STATE (409). */
  async release(id: string, actor: string): Promise<QuarantinedAttachment> {
    return this.#lock.run(`qa:${id}`, async () => {
      const found = await this.#store.quarantined(id);
      if (!found) throw notFound('blocked attachment', id);
      if (found.entry.state === 'released') {
        throw new ConversationsError(
          'CONVERSATIONS_INVALID_STATE',
          `Attachment already released [id:${id}]`,
          {
            status: 409,
          },
        );
      }
      // Each step is idempotent, so a release cut short is finished by the next attempt.
      await this.#store.unblockAttachment(id);
      await this.#moveToAttachments(found.entry.messageId, id);
      const next: QuarantinedAttachment = {
        ...found.entry,
        state: 'released',
        releasedBy: actor,
        releasedAt: this.#now().toISOString(),
      };
      await this.#store.putQuarantine(next, found.rev);
      const contact = await this.#store.contact(next.contactId);
      await this.#bus.publish('conversation.attachment_released', eventOf(next, contact?.agentId), { actor });
      return next;
    });
  }

  async #moveToAttachments(messageId: string, id: string): Promise<void> {
    const doc = await this.#store.message(messageId);
    const entry = doc?.blockedAttachments?.find((b) => b.id === id);
    if (!doc || !entry) return;
    const { reason, ...attachment } = entry;
    const { blockedAttachments, ...rest } = doc;
    const remaining = (blockedAttachments ?? []).filter((b) => b.id !== id);
    await this.#store.putMessage({
      ...rest,
      attachments: [...doc.attachments, attachment],
      ...(remaining.length ? { blockedAttachments: remaining } : {}),
    });
  }
}
