import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter, principalOf, requireAuth } from '../http/index.ts';
import * as s from './schemas.ts';
import type { TeamChatService } from './service.ts';
import type { Channel, ChatActor, ChatMessage } from './types.ts';

/** Where the console shows a live contact; consult threads link there. */
export const contactLink = (contactId: string) => `/contacts/${encodeURIComponent(contactId)}`;

function actorOf(c: Context<AppEnv>): ChatActor {
  return { userId: principalOf(c).userId, source: c.get('clientIp') };
}

function out<T extends Channel>(ch: T): T & { contactLink?: string } {
  return ch.contactId === undefined ? ch : { ...ch, contactLink: contactLink(ch.contactId) };
}

const toWire = ({ customerId: _c, ...m }: ChatMessage) => m;
const Id = z.object({ id: z.string().min(1).max(200) });

/** People the console can message or @mention; identity supplies it. */
export type PeopleList = () => Promise<Array<{ id: string; username: string; displayName: string }>>;

/** `/teamchat/*`: any signed-in staff member; channel access is by membership. */
export function teamChatRoutes(service: TeamChatService, options: { people: PeopleList }) {
  const app = createRouter();
  app.use('/teamchat/*', requireAuth());

  app.openapi(
    createRoute({
      method: 'get',
      path: '/teamchat/people',
      summary: 'Staff directory with presence (for @mentions and new chats)',
      responses: { 200: s.json(z.object({ people: z.array(s.Person) }), 'People') },
    }),
    async (c) => {
      const people = await options.people();
      const presence = service.presenceOf(people.map((p) => p.id));
      return c.json({ people: people.map((p) => ({ ...p, presence: presence[p.id] ?? 'offline' })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/presence',
      summary: 'Heartbeat from the console: online while in use, away when idle',
      request: { body: { ...s.json(s.PresenceIn, 'Status'), required: true } },
      responses: { 204: { description: 'Noted' } },
    }),
    (c) => {
      service.presence.heartbeat(principalOf(c).userId, c.req.valid('json').status);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/teamchat/channels',
      summary: 'My channels with unread counts',
      responses: { 200: s.json(z.object({ channels: z.array(s.ChannelSummary) }), 'Channels') },
    }),
    async (c) => c.json({ channels: (await service.listChannels(actorOf(c))).map(out) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/channels',
      summary: 'Open a direct channel (idempotent) or create a group',
      request: { body: { ...s.json(s.CreateChannelIn, 'Channel'), required: true } },
      responses: { 201: s.json(s.Channel, 'Channel') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const ch =
        input.kind === 'direct'
          ? await service.openDirect(input.userId, actorOf(c))
          : await service.createGroup(input, actorOf(c));
      return c.json(out(ch), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/consults',
      summary: 'Ask an expert about a live contact; the thread carries the contact link',
      request: { body: { ...s.json(s.ConsultIn, 'Consult'), required: true } },
      responses: { 201: s.json(s.Channel, 'Consult thread') },
    }),
    async (c) => {
      const { customerId, ...rest } = c.req.valid('json');
      const ch = await service.startConsult({ ...rest, ...(customerId ? { customerId } : {}) }, actorOf(c));
      return c.json(out(ch), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/teamchat/channels/{id}',
      summary: 'One channel (members only; consult reads are audited)',
      request: { params: Id },
      responses: { 200: s.json(s.Channel, 'Channel') },
    }),
    async (c) => c.json(out(await service.get(c.req.valid('param').id, actorOf(c))), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/channels/{id}/members',
      summary: 'Add a member to a group or consult',
      request: { params: Id, body: { ...s.json(s.MemberIn, 'Member'), required: true } },
      responses: { 200: s.json(s.Channel, 'Channel') },
    }),
    async (c) =>
      c.json(
        out(await service.addMember(c.req.valid('param').id, c.req.valid('json').userId, actorOf(c))),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/teamchat/channels/{id}/messages',
      summary: 'Messages, oldest first: after a sequence number, else the newest',
      request: {
        params: Id,
        query: z.object({
          after: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        }),
      },
      responses: { 200: s.json(z.object({ messages: z.array(s.Message) }), 'Messages') },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const list = await service.messages(c.req.valid('param').id, actorOf(c), {
        ...(after === undefined ? {} : { afterSeq: after }),
        ...(limit === undefined ? {} : { limit }),
      });
      return c.json({ messages: list.map(toWire) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/channels/{id}/messages',
      summary: 'Post a message; @username notifies that member',
      request: { params: Id, body: { ...s.json(s.MessageIn, 'Message'), required: true } },
      responses: { 201: s.json(s.Message, 'Posted') },
    }),
    async (c) =>
      c.json(toWire(await service.post(c.req.valid('param').id, c.req.valid('json').body, actorOf(c))), 201),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/teamchat/channels/{id}/read',
      summary: 'Mark messages up to a sequence number as read',
      request: { params: Id, body: { ...s.json(s.ReadIn, 'Read up to'), required: true } },
      responses: { 204: { description: 'Marked' } },
    }),
    async (c) => {
      await service.markRead(c.req.valid('param').id, c.req.valid('json').seq, actorOf(c));
      return c.body(null, 204);
    },
  );
  return app;
}
