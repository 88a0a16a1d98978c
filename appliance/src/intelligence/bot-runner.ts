import type { Contact, TimelineEntry } from '../conversations/index.ts';
import type { ModuleContext } from '../modules.ts';
import { type BotSession, botTurn, type FaqAnswer } from './dialogue.ts';
import type { DialogueMemory, Opened } from './dialogue-memory.ts';
import { expiredNotice, handoffAttributes, handoffNotice, isZh } from './handoff-summary.ts';
import type { IntelligenceService } from './service.ts';
import { isChinese } from './tokens.ts';
import type { HandoffReason } from './types.ts';

type Services = Pick<ModuleContext['services'], 'bus' | 'conversations' | 'knowledge' | 'routing'>;

/**
 * The web chat bot: marks new web chats `bot: active` (routing leaves them
 * alone) while enabled, answers each visitor message, and on handoff sets the
 * routing attributes and enqueues the chat itself. Each turn's dialogue state
 * is stored before the reply goes out, so a restart continues the dialogue.
 */
export class BotRunner {
  #services: Services;
  #intel: IntelligenceService;
  #memory: DialogueMemory;
  #pending = new Set<Promise<unknown>>();
  #offs: Array<() => void> = [];

  constructor(services: Services, intel: IntelligenceService, options: { memory: DialogueMemory }) {
    this.#services = services;
    this.#intel = intel;
    this.#memory = options.memory;
    // Shredding already made the sealed state unreadable; this removes the documents too.
    this.#offs.push(
      services.bus.subscribe('customer.shredded', async (e) => {
        await this.#memory
          .forgetCustomer(e.data.customerId)
          .catch((err) => intel.logFailure(`dialogue shred failed [customer:${e.data.customerId}]`, err));
      }),
    );
    const conv = services.conversations;
    if (!conv) return;
    const forget = (contactId: string) =>
      this.#track(contactId, () => this.#memory.forget(contactId), 'dialogue cleanup failed');
    this.#offs.push(
      conv.onContactOpening((m) =>
        m.channel === 'webchat' && !m.attributes?.['offline'] && intel.settings().botEnabled
          ? { bot: 'active' }
          : {},
      ),
      services.bus.subscribe('conversation.message_received', (e) => {
        if (e.data.channel !== 'webchat') return;
        // Not awaited: ingest awaits its listeners and the bot's reply goes out through the same widget queue.
        this.#track(
          e.data.contactId,
          () => this.#onMessage(e.data.contactId, e.data.messageId),
          'bot turn failed',
        );
      }),
      services.bus.subscribe('contact.closed', (e) => forget(e.data.contactId)),
      services.bus.subscribe('contact.abandoned', (e) => forget(e.data.contactId)),
    );
  }

  /**
   * After a restart: chats the bot holds keep their dialogue. A reply or a
   * handoff a crash interrupted is finished, an unanswered message answered,
   * and a chat whose state cannot be read goes to an agent.
   */
  async recover(): Promise<number> {
    const conv = this.#services.conversations;
    if (!conv) return 0;
    const held = (await conv.listContacts({ states: ['queued'] })).filter(
      (c) => c.attributes['bot'] === 'active',
    );
    for (const c of held) {
      await this.#memory
        .run(c.id, () => this.#recoverOne(c))
        .catch((err) => this.#intel.logFailure(`bot recovery failed [contact:${c.id}]`, err));
    }
    return held.length;
  }

  /** Closes idle dialogues, telling the visitor politely. */
  sweep(): Promise<number> {
    return this.#memory.sweep(async (m) => {
      const minutes = this.#intel.settings().botIdleMinutes;
      const conv = this.#services.conversations;
      const c = conv && (await conv.getContact(m.contactId).catch(() => undefined));
      if (!conv || c?.state !== 'queued' || c.attributes['bot'] !== 'active') return;
      await conv.followUp(c.id, { text: expiredNotice(m.lang === 'zh', minutes) }, 'bot');
      await this.#services.bus.publish(
        'intelligence.dialogue_expired',
        { contactId: c.id, turns: m.turns, idleMinutes: minutes },
        { actor: 'bot' },
      );
    });
  }

  /** Resolves when every pending bot turn has finished (tests and close()). */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  #track(contactId: string, job: () => Promise<unknown>, what: string): void {
    const p = this.#memory
      .run(contactId, job)
      .catch((err) => this.#intel.logFailure(`${what} [contact:${contactId}]`, err));
    this.#pending.add(p);
    void p.then(() => this.#pending.delete(p));
  }

  async #onMessage(contactId: string, messageId: string): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const contact = await conv.getContact(contactId);
    if (contact.attributes['bot'] !== 'active' || contact.state !== 'queued') return;
    const m = await conv.getMessage(messageId);
    if (!m?.text.trim()) return;
    await this.#turn(contact, m, await this.#memory.open(contact));
  }

  async #recoverOne(c: Contact): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const opened = await this.#memory.open(c);
    const last = (await conv.messagesOf(c.conversationId))
      .filter((m) => m.contactId === c.id && m.direction !== 'internal')
      .at(-1);
    const r = opened.record;
    if (opened.status !== 'resumed' || (last?.direction === 'in' && last.id !== r.lastMessageId)) {
      if (opened.status === 'unreadable' || (last?.direction === 'in' && last.text.trim()))
        await this.#turn(c, last, opened);
      return;
    }
    if (last?.direction === 'in' && r.reply) await conv.followUp(c.id, { text: r.reply }, 'bot');
    if (r.handoff) await this.#handoff(c.id, r.session, r.handoff);
  }

  /** One visitor message, inside the chat's lock: load → turn → store → reply. */
  async #turn(contact: Contact, m: TimelineEntry | undefined, opened: Opened): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const r = opened.record;
    const s = r.session;
    if (opened.status === 'unreadable') {
      await conv.followUp(contact.id, { text: handoffNotice(isZh(s, m?.text)) }, 'bot');
      return this.#handoff(
        contact.id,
        s,
        'state_lost',
        'dialogue state unreadable; earlier bot turns unknown',
      );
    }
    // A handoff decided before a crash is finished, not re-decided.
    if (r.handoff) return this.#handoff(contact.id, s, r.handoff);
    if (!m?.text.trim() || r.lastMessageId === m.id) return;
    if (opened.status === 'expired') {
      const minutes = this.#intel.settings().botIdleMinutes;
      await conv.followUp(contact.id, { text: expiredNotice(isZh(s, m.text), minutes) }, 'bot');
    }
    const faq = await this.#faq(m.text);
    const out = botTurn(s, m.text, {
      classifier: this.#intel.classifier,
      faq: () => faq,
      settings: this.#intel.settings(),
    });
    r.lastMessageId = m.id;
    r.reply = out.text;
    if (out.handoff) r.handoff = out.handoff;
    await this.#memory.save(r);
    await conv.followUp(contact.id, { text: out.text }, 'bot');
    await this.#services.bus.publish(
      'intelligence.bot_replied',
      {
        contactId: contact.id,
        kind: out.kind,
        turn: s.turns,
        ...(s.intent ? { intent: s.intent.intent } : {}),
      },
      { actor: 'bot' },
    );
    if (out.handoff) await this.#handoff(contact.id, s, out.handoff);
  }

  async #faq(text: string): Promise<FaqAnswer | undefined> {
    const kb = this.#services.knowledge;
    if (!kb) return undefined;
    const locale = isChinese(text) ? 'zh-CN' : 'en';
    const [hit] = kb.search(text, { locale, visibility: 'public', limit: 1 });
    if (!hit || hit.score < this.#intel.settings().faqScoreThreshold) return undefined;
    const view = await kb.getPublished(hit.articleId, { visibility: 'public' }).catch(() => undefined);
    return view ? { title: view.version.title, body: view.version.body } : undefined;
  }

  /** Inside the chat's lock. */
  async #handoff(contactId: string, s: BotSession, reason: HandoffReason, note?: string): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const c = await conv.setAttributes(contactId, handoffAttributes(s, reason, note), 'bot');
    await this.#memory.forget(contactId);
    await this.#services.bus.publish(
      'intelligence.handed_off',
      {
        contactId,
        reason,
        sentiment: s.sentiments.at(-1) ?? 0,
        botTurns: s.turns,
        ...(s.intent ? { intent: s.intent.intent } : {}),
      },
      { actor: 'bot' },
    );
    if (c.state !== 'queued') return;
    try {
      this.#services.routing?.enqueue({
        id: c.id,
        contactId: c.id,
        channel: c.channel,
        customerId: c.customerId,
        attributes: c.attributes,
        createdAt: Date.parse(c.timeline.queued ?? c.createdAt),
      });
    } catch (err) {
      this.#intel.logFailure(`handoff enqueue failed [contact:${contactId}]`, err);
    }
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#memory.clear();
  }
}
