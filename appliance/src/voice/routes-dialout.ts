import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { WebRtcSessions } from './media/sessions.ts';
import type { VoiceStack } from './setup.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const DialIn = z
  .object({
    to: z.string().min(1).max(32),
    trunk: z.string().max(32).optional(),
    /** Dial from this console softphone session instead of ringing the agent's desk phone. */
    sessionId: z.uuid().optional(),
  })
  .strict();
const TrunkIn = z
  .object({
    name: z.string().min(1).max(32),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).optional(),
    transport: z.enum(['udp', 'tcp', 'tls']).optional(),
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(128),
    register: z.boolean().optional(),
    expires: z.number().int().min(60).max(86400).optional(),
    /** Media encryption with this carrier: required (SRTP or 488), optional (default), off. */
    srtp: z.enum(['required', 'optional', 'off']).optional(),
  })
  .strict();
const TrunkOut = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number(),
  registered: z.boolean(),
  username: z.string().optional(),
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  register: z.boolean().optional(),
  srtp: z.enum(['required', 'optional', 'off']).optional(),
});

/** Agent dial-out (contacts.handle, under the toll-fraud policy) and carrier trunk admin (system.manage). */
export function dialoutRoutes(stack: VoiceStack, sessions?: WebRtcSessions) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/calls',
      summary:
        "Dial out: ring the agent's SIP phone (or use their console softphone session), then call the number through the carrier trunk",
      middleware: [requirePermission('contacts.handle')] as const,
      request: { body: { content: { 'application/json': { schema: DialIn } }, required: true } },
      responses: { 201: json(z.object({ callId: z.string(), state: z.string() }), 'Bridged') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const { userId } = principalOf(c);
      const browserLeg = b.sessionId && sessions ? sessions.idleAgentLeg(b.sessionId, userId) : undefined;
      const call = await stack.dialout.dial(userId, b.to, {
        ...(b.trunk ? { trunk: b.trunk } : {}),
        ...(browserLeg ? { browserLeg } : {}),
      });
      // From now on the browser's hang-up ends this call.
      if (b.sessionId && browserLeg) sessions?.bindCall(b.sessionId, call.id);
      return c.json({ callId: call.id, state: call.state }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/trunks',
      summary: 'Outbound carrier trunks and their registration (passwords are never returned)',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(z.object({ trunks: z.array(TrunkOut) }), 'Trunks') },
    }),
    async (c) => {
      const trunks = (await stack.listTrunks()).map((t) => ({
        name: t.name,
        host: t.host,
        port: t.port,
        registered: t.registration?.registered ?? false,
        username: t.username,
        transport: t.transport,
        register: t.register,
        srtp: t.srtp ?? 'optional',
      }));
      return c.json({ trunks }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/voice/trunks',
      summary: 'Create or replace an outbound carrier trunk (password stored encrypted)',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { content: { 'application/json': { schema: TrunkIn } }, required: true } },
      responses: { 200: json(z.object({ trunk: TrunkOut }), 'Saved') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const { name, host, username, password, ...rest } = b;
      const t = await stack.putTrunk(
        {
          name,
          host,
          username,
          password,
          ...(rest.port !== undefined ? { port: rest.port } : {}),
          ...(rest.transport ? { transport: rest.transport } : {}),
          ...(rest.register !== undefined ? { register: rest.register } : {}),
          ...(rest.expires !== undefined ? { expires: rest.expires } : {}),
          ...(rest.srtp ? { srtp: rest.srtp } : {}),
        },
        { userId: principalOf(c).userId, source: c.get('clientIp') },
      );
      return c.json({ trunk: { name: t.name, host: t.host, port: t.port, registered: false } }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/voice/trunks/{name}',
      summary: 'Delete an outbound carrier trunk and stop its registration (audited)',
      middleware: [requirePermission('system.manage')] as const,
      request: { params: z.object({ name: z.string().min(1).max(32) }) },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      await stack.deleteTrunk(c.req.valid('param').name, {
        userId: principalOf(c).userId,
        source: c.get('clientIp'),
      });
      return c.body(null, 204);
    },
  );
  return app;
}
