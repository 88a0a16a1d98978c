import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../../http/index.ts';
import type { WebchatSettings as Settings } from './settings.ts';
import { settingsOf, WebchatSettings, WebchatSettingsIn } from './settings.ts';

/** Admin settings for the widget and the agent's typing indicator. */
export function webchatRoutes(o: {
  settings: () => Promise<Settings>;
  saveSettings: (s: Settings, actor: string) => Promise<void>;
  agentTyping: (contactId: string, on: boolean, agentId: string) => Promise<void>;
}) {
  const app = createRouter();
  const json = <T extends z.ZodType>(schema: T, description: string) => ({
    content: { 'application/json': { schema } },
    description,
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/webchat/settings',
      summary: 'Widget settings: embedding origins (opening hours are the routing calendar)',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(WebchatSettings, 'Settings') },
    }),
    async (c) => c.json(await o.settings(), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/webchat/settings',
      summary: 'Replace the widget settings',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { ...json(WebchatSettingsIn, 'Settings'), required: true } },
      responses: { 200: json(WebchatSettings, 'Saved') },
    }),
    async (c) => {
      const s = settingsOf(c.req.valid('json'));
      await o.saveSettings(s, principalOf(c).userId);
      return c.json(s, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/webchat/contacts/{id}/typing',
      summary: "Show or hide the agent's typing indicator in the widget",
      middleware: [requirePermission('contacts.handle')] as const,
      request: {
        params: z.object({ id: z.string().min(1).max(64) }),
        body: { ...json(z.object({ on: z.boolean() }).strict(), 'Typing'), required: true },
      },
      responses: { 204: { description: 'Sent' } },
    }),
    async (c) => {
      await o.agentTyping(c.req.valid('param').id, c.req.valid('json').on, principalOf(c).userId);
      return c.body(null, 204);
    },
  );
  return app;
}
