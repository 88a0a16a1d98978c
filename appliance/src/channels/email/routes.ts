import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../../http/index.ts';
import type { EmailSettingsInput, EmailSettingsView } from './settings.ts';
import type { TestMailResult } from './test-mail.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const Server = {
  host: z.string().min(1).max(253),
  port: z.number().int(),
  password: z.string().max(200).optional(),
};
const SettingsIn = z
  .object({
    relay: z
      .object({
        ...Server,
        security: z.enum(['tls', 'starttls', 'none']),
        user: z.string().max(200).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    mailFrom: z.string().max(254).optional(),
    imap: z
      .object({
        ...Server,
        security: z.enum(['tls', 'starttls']),
        user: z.string().max(200),
        mailbox: z.string().max(200),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
const View = z.any();
const TestIn = z.object({ to: z.string().email().max(254) }).strict();
const TestOut = z.object({ response: z.string(), messageId: z.string() });

/** The Channels page's email settings (system.manage): show, save (audited), send a test mail. */
export function emailRoutes(o: {
  view: () => Promise<EmailSettingsView>;
  save: (input: EmailSettingsInput, actor: { userId: string; source?: string }) => Promise<EmailSettingsView>;
  testMail: (to: string, actor: { userId: string; source?: string }) => Promise<TestMailResult>;
}) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/channels/email/settings',
      summary:
        'Email settings in force (SMTP receive, relay, From, IMAP) and their source; passwords never shown',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(View, 'Settings') },
    }),
    async (c) => c.json(await o.view(), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/channels/email/settings',
      summary:
        'Store relay, From and IMAP settings (passwords encrypted; left out = kept); applied at once unless the environment sets them',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { ...json(SettingsIn, 'Settings'), required: true } },
      responses: { 200: json(View, 'Settings') },
    }),
    async (c) => {
      const actor = { userId: principalOf(c).userId, source: c.get('clientIp') };
      return c.json(await o.save(c.req.valid('json') as EmailSettingsInput, actor), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/channels/email/test-mail',
      summary: "Send a test mail through the relay in force; the relay's reply, or a coded refusal (audited)",
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { ...json(TestIn, 'Recipient'), required: true } },
      responses: { 200: json(TestOut, 'Accepted by the relay') },
    }),
    async (c) => {
      const actor = { userId: principalOf(c).userId, source: c.get('clientIp') };
      return c.json(await o.testMail(c.req.valid('json').to, actor), 200);
    },
  );
  return app;
}
