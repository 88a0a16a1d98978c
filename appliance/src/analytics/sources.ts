import type { Services } from '../modules.ts';
import type { TopicSources } from './topics.ts';

/** Reading a ticket's subject for topic counts is itself an audited read, under this system actor. */
const ANALYTICS_ACTOR = { userId: 'system:analytics', roles: [], permissions: new Set<string>() };

/**
 * Customer text reachable through other contexts' public services: inbound
 * messages (email subject included) and ticket subjects. Read in process when
 * their event arrives, so no message text ever travels in an (audited) event.
 */
export function topicSources(services: Partial<Services>): TopicSources {
  const { conversations, tickets } = services;
  return {
    ...(conversations
      ? {
          message: async (id: string) => {
            const m = await conversations.getMessage(id);
            if (m?.direction !== 'in') return undefined;
            const subject = m.meta?.['subject'];
            return { text: subject ? `${subject}\n${m.text}` : m.text, customerId: m.customerId, at: m.at };
          },
        }
      : {}),
    ...(tickets
      ? {
          ticket: async (id: string) => {
            const t = await tickets.get(id, ANALYTICS_ACTOR);
            return t.customerId ? { text: t.subject, customerId: t.customerId, at: t.createdAt } : undefined;
          },
        }
      : {}),
  };
}
