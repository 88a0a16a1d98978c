import { batchTarget } from '../audit/index.ts';
import type { Services } from '../modules.ts';
import type { SourcedText, TopicSources } from './topic-types.ts';

/** Reads of ticket subjects for topic counts are audited under this system actor. */
const ANALYTICS_ACTOR = 'system:analytics';

export interface SourceOptions {
  /** The audit trail's personal-data read recorder (the module context's `recordRead`). */
  recordRead?: (read: {
    actor: string;
    target: string;
    action: string;
    source?: string;
    details?: Record<string, unknown>;
  }) => Promise<void>;
}

type Conversations = NonNullable<Services['conversations']>;
type Tickets = NonNullable<Services['tickets']>;

const inbound = (m: Awaited<ReturnType<Conversations['getMessage']>>) =>
  m?.direction === 'in'
    ? {
        text: m.meta?.['subject'] ? `${m.meta['subject']}\n${m.text}` : m.text,
        customerId: m.customerId,
        at: m.at,
        source: `message:${m.id}`,
      }
    : undefined;

/** Ticket subjects of those with a customer; `list` leaves descriptions out and audits nothing itself. */
async function subjects(tickets: Tickets, ids?: ReadonlySet<string>): Promise<SourcedText[]> {
  const out: SourcedText[] = [];
  for (const t of await tickets.list()) {
    if (!t.customerId || (ids && !ids.has(t.id))) continue;
    out.push({ text: t.subject, customerId: t.customerId, at: t.createdAt, source: `ticket:${t.id}` });
  }
  return out;
}

/**
 * Customer text reachable through other contexts' public services: inbound
 * messages (email subject included) and ticket subjects. Read in process when
 * their event arrives, so no message text ever travels in an (audited) event.
 * No ticket event carries the subject, so new tickets' subjects are read in a
 * batch through the ticket list (one scan) and the batch is audited once
 * (a digest of the ids as target, count and ids in the details), instead of
 * once per ticket through `tickets.get`.
 */
export function topicSources(services: Partial<Services>, options: SourceOptions = {}): TopicSources {
  const { conversations, tickets } = services;
  const { recordRead } = options;
  return {
    ...(recordRead ? { recordRead } : {}),
    ...(conversations
      ? {
          message: async (id: string) => inbound(await conversations.getMessage(id)),
          conversations: async () => [
            ...new Set((await conversations.listContacts()).map((c) => c.conversationId)),
          ],
          messagesOf: async (conversationId: string) =>
            (await conversations.messagesOf(conversationId)).flatMap((m) => inbound(m) ?? []),
        }
      : {}),
    ...(tickets
      ? {
          allTickets: () => subjects(tickets),
          tickets: async (ids: readonly string[]) => {
            if (ids.length === 0) return [];
            // One record per batch, named by a digest of its ids: a target joining them outgrew the log's limit.
            await recordRead?.({
              actor: ANALYTICS_ACTOR,
              ...batchTarget('ticket', ids),
              action: 'analytics.ticket_subjects_read',
            });
            return subjects(tickets, new Set(ids));
          },
        }
      : {}),
  };
}
