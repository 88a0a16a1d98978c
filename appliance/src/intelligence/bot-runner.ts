import type { ModuleContext } from '../modules.ts';
import { type BotSession, botTurn, type FaqAnswer, newSession, type TurnOutcome } from './dialogue.ts';
import type { IntelligenceService } from './service.ts';
import { isChinese } from './tokens.ts';
import type { HandoffReason } from './types.ts';

type Services = ModuleContext['services'];

/**
 * The web chat bot: marks new web chats `bot: active` (routing leaves them
 * alone) while enabled, answers each visitor message, and on handoff sets the
 * routing attributes and enqueues the chat itself.
 */
export class BotRunner {
  #services: Services;
  #intel: IntelligenceService;
  #sessions = new Map<string, BotSession>();
  #chains = new Map<string, Promise<void>>();
  #offs: Array<() => void> = [];

  constructor(services: Services, intel: IntelligenceService) {
    this.#services = services;
    this.#intel = intel;
    const conv = services.conversations;
    if (!conv) return;
    this.#offs.push(
      conv.onContactOpening((m) =>
        m.channel === 'webchat' && !m.attributes?.['offline'] && intel.settings().botEnabled
          ? { bot: 'active' }
          : {},
      ),
      services.bus.subscribe('conversation.message_received', (e) => {
        if (e.data.channel !== 'webchat') return;
        // Not awaited: ingest awaits its listeners and the bot's reply goes out through the same widget queue.
        this.#enqueue(e.data.contactId, () => this.#onMessage(e.data.contactId, e.data.messageId));
      }),
      services.bus.subscribe('contact.closed', (e) => {
        this.#sessions.delete(e.data.contactId);
      }),
      services.bus.subscribe('contact.abandoned', (e) => {
        this.#sessions.delete(e.data.contactId);
      }),
    );
  }

  /** Chats the bot held before a restart lost their dialogue state: they go to an agent. */
  async recover(): Promise<number> {
    const conv = this.#services.conversations;
    if (!conv) return 0;
    const held = (await conv.listContacts({ states: ['queued'] })).filter(
      (c) => c.attributes['bot'] === 'active',
    );
    for (const c of held) await this.#handoff(c.id, newSession(), 'restart');
    return held.length;
  }

  /** Resolves when every pending bot turn has finished (tests and close()). */
  async idle(): Promise<void> {
    while (this.#chains.size) await Promise.all(this.#chains.values());
  }

  #enqueue(contactId: string, job: () => Promise<void>): void {
    const prev = this.#chains.get(contactId) ?? Promise.resolve();
    const next = prev
      .then(job)
      .catch((err) => this.#intel.logFailure(`bot turn failed [contact:${contactId}]`, err));
    this.#chains.set(contactId, next);
    void next.then(() => {
      if (this.#chains.get(contactId) === next) this.#chains.delete(contactId);
    });
  }

  async #onMessage(contactId: string, messageId: string): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const contact = await conv.getContact(contactId);
    if (contact.attributes['bot'] !== 'active' || contact.state !== 'queued') return;
    const m = await conv.getMessage(messageId);
    if (!m?.text.trim()) return;
    const session = this.#sessions.get(contactId) ?? newSession();
    this.#sessions.set(contactId, session);
    const faq = await this.#faq(m.text);
    const out = botTurn(session, m.text, {
      classifier: this.#intel.classifier,
      faq: () => faq,
      settings: this.#intel.settings(),
    });
    await conv.followUp(contactId, { text: out.text }, 'bot');
    await this.#services.bus.publish(
      'intelligence.bot_replied',
      {
        contactId,
        kind: out.kind,
        turn: session.turns,
        ...(session.intent ? { intent: session.intent.intent } : {}),
      },
      { actor: 'bot' },
    );
    if (out.handoff) await this.#handoff(contactId, session, out.handoff, out);
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

  async #handoff(contactId: string, s: BotSession, reason: HandoffReason, _out?: TurnOutcome): Promise<void> {
    const conv = this.#services.conversations;
    if (!conv) return;
    const mood = s.sentiments.length ? (s.sentiments.at(-1) as number) : 0;
    const summary = [
      `intent ${s.intent?.intent ?? 'unknown'}`,
      `sentiment ${mood.toFixed(2)}`,
      `handoff ${reason}`,
      ...(s.answered.length ? [`answered: ${s.answered.join('; ')}`] : []),
      ...(s.facts['cardLast4'] ? [`card ending ${s.facts['cardLast4']}`] : []),
      ...(s.facts['appointmentDate'] ? [`appointment ${s.facts['appointmentDate']}`] : []),
    ].join(' | ');
    const c = await conv.setAttributes(
      contactId,
      {
        bot: 'handed_off',
        intent: s.intent?.intent ?? 'unknown',
        intentConfidence: Math.round((s.intent?.p ?? 0) * 100) / 100,
        sentiment: Math.round(mood * 100) / 100,
        summary: summary.slice(0, 500),
        botTurns: s.turns,
        handoffReason: reason,
        ...(s.facts['cardLast4'] ? { cardLast4: s.facts['cardLast4'] } : {}),
      },
      'bot',
    );
    this.#sessions.delete(contactId);
    await this.#services.bus.publish(
      'intelligence.handed_off',
      {
        contactId,
        reason,
        sentiment: mood,
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
    this.#sessions.clear();
  }
}
