import { createRoute, z } from '@hono/zod-openapi';
import { actorOf, type CustomerService, customerView } from '../customers/index.ts';
import { createRouter, requirePermission } from '../http/index.ts';
import type { ConversationService } from './service.ts';

const AnyJson = z.record(z.string(), z.unknown());

/**
 * GET /customers/{id}/360: the masked profile, every contact and every message
 * on every channel (merged-in customers included) in one time-ordered timeline,
 * plus sections other contexts register (tickets, orders).
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
        conversations.listContacts({ customerIds: ids }),
        conversations.timeline(ids),
        customers.profileSections(profile.id, actor),
      ]);
      return c.json(
        {
          profile: customerView(c, profile) as Record<string, unknown>,
          mergedFrom: ids.slice(1),
          contacts: contacts as unknown as Record<string, unknown>[],
          timeline: timeline as unknown as Record<string, unknown>[],
          tickets: sections['tickets'] ?? [],
          orders: sections['orders'] ?? [],
          sections,
        },
        200,
      );
    },
  );
  return app;
}
