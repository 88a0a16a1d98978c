import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { CustomerReplier, Ticket } from './types.ts';

const log = createLogger('tickets');

type Lang = Ticket['language'];

/** Customer-facing texts per target state; `{number}` and `{field:name}` are filled in. */
const TEMPLATES: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    l2: '您好，您的工单 {number} 已转交二线技术工程师处理，我们会尽快回复您。',
    resolved: '您好，您的工单 {number} 已解决：{field:resolution}。如仍有问题，请直接回复本消息。',
    closed: '您好，您的工单 {number} 已关闭，感谢您的耐心。',
    default: '您好，您的工单 {number} 状态已更新：{state}。',
  },
  en: {
    l2: 'Hello, your ticket {number} has been passed to a second-line engineer. We will get back to you soon.',
    resolved:
      'Hello, your ticket {number} has been resolved: {field:resolution}. Reply here if anything is still wrong.',
    closed: 'Hello, your ticket {number} is now closed. Thank you for your patience.',
    default: 'Hello, your ticket {number} has a new status: {state}.',
  },
};

/**
 * The message a customer receives when their ticket enters `state`.
 * @example
 * renderNotice(ticket, 'l2'); // '您好，您的工单 BR-000001 已转交二线技术工程师处理…'
 */
export function renderNotice(ticket: Ticket, state: string, stateLabel = state): string {
  const set = TEMPLATES[ticket.language] ?? TEMPLATES.en;
  const template = set[state] ?? set.default!;
  return template
    .replaceAll('{number}', ticket.number)
    .replaceAll('{state}', stateLabel)
    .replace(/\{field:([a-z0-9_]+)\}/g, (_m, f: string) => ticket.fields[f] ?? '');
}

/** Tells the customer on the channel of their latest linked contact; never throws. */
export class CustomerNotifier {
  #replier: () => CustomerReplier | undefined;
  #bus: EventBus;

  constructor(options: { replier: () => CustomerReplier | undefined; bus: EventBus }) {
    this.#replier = options.replier;
    this.#bus = options.bus;
  }

  /** Sends the state's template, or `options.text` (an agent's reply) when given. */
  async notify(
    ticket: Ticket,
    state: string,
    options: { actor: string; label?: string; text?: string },
  ): Promise<boolean> {
    const contactId = ticket.links.contactIds.at(-1);
    const replier = this.#replier();
    const text = options.text ?? renderNotice(ticket, state, options.label);
    let reason: string | undefined;
    if (!contactId) reason = 'no_contact';
    else if (!replier) reason = 'no_conversations_service';
    else {
      try {
        // The chat has usually closed by the time a ticket moves; followUp still reaches it.
        await (replier.followUp
          ? replier.followUp(contactId, { text }, options.actor)
          : replier.reply(contactId, { text }, options.actor));
      } catch (err) {
        reason = 'send_failed';
        log.warn(`customer notice failed [ticketId:${ticket.id}, contactId:${contactId}]`, { err });
      }
    }
    if (reason) log.warn(`customer not notified [ticketId:${ticket.id}, reason:${reason}]`);
    await this.#bus.publish(
      'ticket.customer_notified',
      {
        ticketId: ticket.id,
        state,
        delivered: reason === undefined,
        language: ticket.language,
        ...(contactId ? { contactId } : {}),
        ...(reason ? { reason } : {}),
      },
      { actor: options.actor },
    );
    return reason === undefined;
  }
}
