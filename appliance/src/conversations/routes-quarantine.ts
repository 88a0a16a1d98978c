import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { ConversationService } from './service.ts';

type Read = (read: { actor: string; target: string; source?: string; action?: string }) => Promise<void>;

const Entry = z.object({
  id: z.string(),
  name: z.string(),
  mime: z.string(),
  bytes: z.number(),
  reason: z.string(),
  messageId: z.string(),
  contactId: z.string(),
  customerId: z.string(),
  channel: z.string(),
  at: z.string(),
  state: z.enum(['blocked', 'released']),
  releasedBy: z.string().optional(),
  releasedAt: z.string().optional(),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/**
 * Admin view of files channels' policies quarantined: list (an audited read,
 * since file names are customer data) and release to the agent (audited by
 * its `conversation.attachment_released` event). Needs system.manage.
 */
export function quarantineRoutes(service: ConversationService, recordRead: Read) {
  const app = createRouter();
  app.use('/quarantine/*', requirePermission('system.manage'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/quarantine/attachments',
      summary: 'Attachments a channel policy blocked (name, type, size, reason), newest first',
      request: { query: z.object({ state: z.enum(['blocked', 'released']).optional() }) },
      responses: { 200: json(z.object({ attachments: z.array(Entry) }), 'Quarantined attachments') },
    }),
    async (c) => {
      const { state } = c.req.valid('query');
      const list = await service.blockedAttachments(state);
      await recordRead({
        actor: principalOf(c).userId,
        target: 'quarantine:attachments',
        action: 'attachment.quarantine_list',
        source: c.get('clientIp'),
      });
      return c.json({ attachments: list }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/quarantine/attachments/{id}/release',
      summary:
        'Release a blocked attachment to its message (409 CONVERSATIONS_INVALID_STATE when already released)',
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 200: json(Entry, 'The released entry') },
    }),
    async (c) => {
      const entry = await service.releaseAttachment(c.req.valid('param').id, principalOf(c).userId);
      return c.json(entry, 200);
    },
  );
  return app;
}
