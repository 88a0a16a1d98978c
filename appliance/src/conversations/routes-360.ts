import { createRoute, z } from '@hono/zod-openapi';
import { actorOf, type CustomerService, customerView } from '../customers/index.ts';
import { createRouter, requirePermission } from '../http/index.ts';
import type { ConversationService } from './service.ts';

const AnyJson = z.record(z.string(), z.unknown());

/** How much of a customer's history the 360 carries: it costs its size, not the customer's age. */
export const RECENT_CONTACTS = 50;
export const RECENT_MESSAGES = 200;

/**
 * GET /customers/{id}/360: the masked profile, the latest contacts and the
 * latest messages on every channel (merged-in customers included) in one
 * time-ordered timeline, plus sections other contexts register (tickets,
 * orders). Contacts and messages are bounded (RECENT_*); `truncated` says
 * when older ones exist (the contact list pages through the rest).
 */
export function customer360Routes(conversations: ConversationService, customers: CustomerService) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/customers/{id}/360',
      summary: 'Customer 360: profile (masked by role), cross-channel timeline, tickets and orders',
      middleware: [requirePermission('customers.read')] as const,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                profile: AnyJson,
                mergedFrom: z.array(z.string()),
                contacts: z.array(AnyJson),
                timeline: z.array(AnyJson),
                tickets: z.array(z.unknown()),
                orders: z.array(z.unknown()),
                sections: z.record(z.string(), z.array(z.unknown())),
                truncated: z.object({ contacts: z.boolean(), timeline: z.boolean() }),
              }),
            },
          },
          description: 'Customer 360',
        },
      },
    }),
    async (c) => {
      const actor = actorOf(c);
      const profile = await customers.get(c.req.valid('param').id, actor, '360');
      const ids = [profile.id, ...(await customers.mergedFrom(profile.id))];
      const [contacts, timeline, sections] = await Promise.all([
        conversations.recentContacts(ids, RECENT_CONTACTS + 1),
        conversations.recentTimeline(ids, RECENT_MESSAGES + 1),
        customers.profileSections(profile.id, actor),
      ]);
      return c.json(
        {
          profile: customerView(c, profile) as Record<string, unknown>,
          mergedFrom: ids.slice(1),
          contacts: contacts.slice(0, RECENT_CONTACTS) as unknown as Record<string, unknown>[],
          timeline: timeline.slice(-RECENT_MESSAGES) as unknown as Record<string, unknown>[],
          tickets: sections['tickets'] ?? [],
          orders: sections['orders'] ?? [],
          sections,
          truncated: {
            contacts: contacts.length > RECENT_CONTACTS,
            timeline: timeline.length > RECENT_MESSAGES,
          },
        },
        200,
      );
    },
  );
  return app;
}
