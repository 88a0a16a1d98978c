import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  type AppEnv,
  createRouter,
  cursorAfter,
  NextCursor,
  PageQuery,
  pageOf,
  principalOf,
  requirePermission,
} from '../http/index.ts';
import { isUnclaimedOffline } from './contact-index.ts';
import { ConversationsError } from './errors.ts';
import type { ConversationService } from './service.ts';
import type { Contact, ContactState } from './types.ts';

const STATES = ['queued', 'offered', 'active', 'wrap_up', 'closed', 'abandoned'] as const;
const Id = z.object({ id: z.string().min(1).max(64) });
const AnyJson = z.record(z.string(), z.unknown());
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

type Read = (read: { actor: string; target: string; source?: string; action?: string }) => Promise<void>;

/** A contact as the lists answer it (types.ts Contact). */
const ContactOut = z.object({
  id: z.string(),
  conversationId: z.string(),
  customerId: z.string(),
  channel: z.enum(['webchat', 'email', 'wechat', 'wecom', 'voice']),
  threadKey: z.string(),
  state: z.enum(STATES),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  agentId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  timeline: z.partialRecord(z.enum(STATES), z.string()),
  wrapUpCode: z.string().optional(),
});

/** Agents see their own contacts; supervisors (contacts.monitor) see all. */
function assertMayHandle(c: Context<AppEnv>, contact: Contact): void {
  const p = principalOf(c);
  if (p.permissions.has('contacts.monitor') || contact.agentId === p.userId) return;
  if (isUnclaimedOffline(contact)) return;
  throw new ConversationsError('CONVERSATIONS_NOT_ASSIGNED', 'Contact is not assigned to you', {
    status: 403,
  });
}

export function conversationRoutes(service: ConversationService, recordRead: Read) {
  const app = createRouter();
  for (const p of ['/contacts', '/contacts/*', '/conversations/*', '/attachments/*']) {
    app.use(p, requirePermission('contacts.handle'));
  }
  const audit = (c: Context<AppEnv>, target: string, action: string) =>
    recordRead({ actor: principalOf(c).userId, target, action, source: c.get('clientIp') });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts',
      summary:
        "The caller's contacts plus unclaimed out-of-hours ones (scope=all needs contacts.monitor), newest first, a page at a time (limit ≤ 200; cursor from nextCursor)",
      request: {
        query: z
          .object({
            scope: z.enum(['mine', 'all']).default('mine'),
            state: z.string().max(80).optional(),
          })
          .extend(PageQuery.shape),
      },
      responses: {
        200: json(z.object({ contacts: z.array(ContactOut), nextCursor: NextCursor }), 'A page of contacts'),
      },
    }),
    async (c) => {
      const { limit, cursor, ...q } = c.req.valid('query');
      const p = principalOf(c);
      const all = q.scope === 'all' && p.permissions.has('contacts.monitor');
      const states = [
        ...new Set(
          q.state?.split(',').filter((s): s is ContactState => (STATES as readonly string[]).includes(s)),
        ),
      ].sort();
      const scope = `contacts?${all ? 'all' : `mine=${p.userId}`}&state=${states.join(',')}`;
      const res = await service.pageContacts(
        {
          ...(all ? {} : { agentId: p.userId, withUnclaimedOffline: true }),
          ...(states.length ? { states } : {}),
        },
        pageOf({ limit, cursor }, scope),
      );
      const nextCursor = cursorAfter(scope, res.last);
      return c.json({ contacts: res.contacts, ...(nextCursor ? { nextCursor } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}',
      summary: "A contact and its conversation's messages (audited read)",
      request: { params: Id },
      responses: { 200: json(z.object({ contact: AnyJson, messages: z.array(AnyJson) }), 'Contact') },
    }),
    async (c) => {
      const contact = await service.getContact(c.req.valid('param').id);
      assertMayHandle(c, contact);
      await audit(c, `customer:${contact.customerId}`, 'conversation.view');
      const messages = await service.messagesOf(contact.conversationId);
      return c.json(
        {
          contact: contact as unknown as Record<string, unknown>,
          messages: messages as unknown as Record<string, unknown>[],
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/contacts/{id}/transition',
      summary:
        'Move a contact (accept, wrap up, close); illegal moves are 409 CONVERSATIONS_INVALID_TRANSITION',
      request: {
        params: Id,
        body: {
          ...json(
            z.object({ to: z.enum(STATES), wrapUpCode: z.string().min(1).max(64).optional() }).strict(),
            'Target',
          ),
          required: true,
        },
      },
      responses: { 200: json(AnyJson, 'Contact') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const body = c.req.valid('json');
      const contact = await service.getContact(id);
      const me = principalOf(c).userId;
      if (!(body.to === 'active' && contact.state === 'queued')) assertMayHandle(c, contact);
      const next = await service.transition(id, body.to, {
        actor: me,
        ...(body.to === 'active' ? { agentId: contact.agentId ?? me } : {}),
        ...(body.wrapUpCode ? { wrapUpCode: body.wrapUpCode } : {}),
      });
      return c.json(next as unknown as Record<string, unknown>, 200);
    },
  );

  const Text = z.object({ text: z.string().min(1).max(65536) }).strict();
  for (const kind of ['reply', 'notes'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/contacts/{id}/${kind}`,
        summary: kind === 'reply' ? "Reply on the contact's channel" : 'Add an internal note',
        request: { params: Id, body: { ...json(Text, 'Text'), required: true } },
        responses: { 201: json(AnyJson, 'Message') },
      }),
      async (c) => {
        const contact = await service.getContact(c.req.valid('param').id);
        assertMayHandle(c, contact);
        const me = principalOf(c).userId;
        const { text } = c.req.valid('json');
        const m =
          kind === 'reply'
            ? await service.reply(contact.id, { text }, me)
            : await service.note(contact.id, text, me);
        return c.json(m as unknown as Record<string, unknown>, 201);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/attachments/{id}',
      summary: 'Download an attachment (audited read)',
      request: { params: Id },
      responses: { 200: { description: 'File bytes' } },
    }),
    async (c) => {
      const a = await service.attachment(c.req.valid('param').id);
      await audit(c, `customer:${a.customerId}`, 'attachment.download');
      c.header('Content-Type', a.mime);
      c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`);
      return c.body(a.data.slice().buffer, 200);
    },
  );
  return app;
}
