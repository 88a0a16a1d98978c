import type { ModuleContext } from '../modules.ts';
import { sentiment } from './sentiment.ts';
import type { IntelligenceService } from './service.ts';
import type { AssistView, Suggestion } from './types.ts';

type Services = ModuleContext['services'];
const CLOSED_TICKET = new Set(['closed', 'resolved', 'cancelled']);

/** What the agent sees beside a contact: history, intent, mood, and three suggested answers. */
export async function assistFor(
  contactId: string,
  deps: {
    services: Services;
    intel: IntelligenceService;
    viewer?: { userId: string; permissions: ReadonlySet<string> };
  },
): Promise<AssistView> {
  const { services, intel } = deps;
  const conv = services.conversations;
  if (!conv) throw new Error('agent assist needs the conversations service');
  const contact = await conv.getContact(contactId);
  const messages = await conv.messagesOf(contact.conversationId);
  const inbound = messages.filter((m) => m.contactId === contactId && m.direction === 'in' && m.text.trim());
  const joined = inbound
    .slice(-3)
    .map((m) => m.text)
    .join(' ');
  const top = joined ? intel.classify(joined).top : undefined;
  const attrIntent =
    typeof contact.attributes['intent'] === 'string' ? contact.attributes['intent'] : undefined;
  const intent = top ?? (attrIntent && attrIntent !== 'unknown' ? { intent: attrIntent, p: 1 } : undefined);

  const lastContacts = (await conv.listContacts({ customerIds: [contact.customerId] }))
    .filter((c) => c.id !== contactId)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
    .slice(0, 5)
    .map((c) => ({
      id: c.id,
      channel: c.channel,
      state: c.state,
      createdAt: c.createdAt,
      ...(typeof c.attributes['intent'] === 'string' ? { intent: c.attributes['intent'] } : {}),
    }));
  const tickets = services.tickets
    ? (await services.tickets.list({ customerId: contact.customerId }))
        .filter((t) => !CLOSED_TICKET.has(String(t.state)))
        .slice(0, 5)
        .map((t) => ({ id: t.id, number: t.number, subject: t.subject, state: String(t.state) }))
    : [];
  let orders: AssistView['history']['orders'] = [];
  if (services.crm && deps.viewer) {
    const pop = await services.crm
      .screenPop(contact.customerId, deps.viewer, { budgetMs: 300 })
      .catch(() => undefined);
    orders = (pop?.orders ?? [])
      .slice(0, 5)
      .map((o) => ({ orderNo: o.orderNo, date: o.date, status: String(o.status), amount: o.amount }));
  }

  const suggestions: Suggestion[] = [];
  const kb = services.knowledge;
  if (kb && joined) {
    for (const h of kb.search(joined, { visibility: 'internal', limit: 2 }))
      suggestions.push({ kind: 'kb', title: h.title, text: h.snippet, articleId: h.articleId });
  }
  if (intent) {
    const seen = new Set<string>();
    for (const r of (await intel.pastReplies(intent.intent)).reverse()) {
      if (suggestions.length >= 3) break;
      if (seen.has(r.text)) continue;
      seen.add(r.text);
      suggestions.push({ kind: 'past_reply', title: intent.intent, text: r.text });
    }
  }
  return {
    contactId,
    customerId: contact.customerId,
    ...(intent ? { intent } : {}),
    sentimentTrend: inbound.map((m) => Math.round(sentiment(m.text) * 100) / 100),
    history: { lastContacts, openTickets: tickets, orders },
    suggestions: suggestions.slice(0, 3),
  };
}
