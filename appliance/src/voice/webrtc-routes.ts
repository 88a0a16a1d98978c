import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { WebRtcSessions } from './media/sessions.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const Sdp = z.string().min(10).max(20_000);
const Mode = z.enum(['listen', 'whisper', 'barge', 'off']);
const Answer = z.object({ sessionId: z.string(), sdp: z.string() });
const IdParam = z.object({ id: z.uuid() });
const Ok = z.object({ ok: z.boolean() });
const Stats = z.object({
  packetsIn: z.number(),
  packetsOut: z.number(),
  bytesIn: z.number(),
  lost: z.number(),
  jitterMs: z.number(),
  mos: z.number(),
  rttMs: z.number().optional(),
  remoteLossPct: z.number().optional(),
});

const openAgent = createRoute({
  method: 'post',
  path: '/voice/webrtc/sessions',
  middleware: [requirePermission('contacts.handle')] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              sdp: Sdp,
              callId: z.uuid().optional(),
              contactId: z.string().min(1).max(200).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: json(
      Answer.extend({ callId: z.string().optional() }),
      'The appliance answer (and the call it answered)',
    ),
  },
});
const answer = createRoute({
  method: 'post',
  path: '/voice/webrtc/sessions/{id}/answer',
  middleware: [requirePermission('contacts.handle')] as const,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: z.object({ callId: z.uuid() }).strict() } } },
  },
  responses: { 200: json(Ok, 'Bridged') },
});
const stats = createRoute({
  method: 'get',
  path: '/voice/webrtc/sessions/{id}/stats',
  middleware: [requirePermission('contacts.handle')] as const,
  request: { params: IdParam },
  responses: { 200: json(Stats, 'Leg figures (RTCP round trip, loss, jitter, MOS)') },
});
const hangup = createRoute({
  method: 'delete',
  path: '/voice/webrtc/sessions/{id}',
  middleware: [requirePermission('contacts.handle')] as const,
  request: { params: IdParam },
  responses: { 200: json(Ok, 'Ended') },
});
const supervise = createRoute({
  method: 'post',
  path: '/voice/webrtc/supervise',
  middleware: [requirePermission('contacts.monitor')] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({ sdp: Sdp, callId: z.uuid(), mode: z.enum(['listen', 'whisper', 'barge']) })
            .strict(),
        },
      },
    },
  },
  responses: { 201: json(Answer, 'The appliance answer') },
});
const setMode = createRoute({
  method: 'put',
  path: '/voice/webrtc/supervise/{id}',
  middleware: [requirePermission('contacts.monitor')] as const,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: z.object({ mode: Mode }).strict() } } },
  },
  responses: { 200: json(Ok, 'Mode changed') },
});
const endSupervise = createRoute({
  method: 'delete',
  path: '/voice/webrtc/supervise/{id}',
  middleware: [requirePermission('contacts.monitor')] as const,
  request: { params: IdParam },
  responses: { 200: json(Ok, 'Left the call') },
});
const publicCall = createRoute({
  method: 'post',
  path: '/voice/webrtc/public/calls',
  request: { body: { content: { 'application/json': { schema: z.object({ sdp: Sdp }).strict() } } } },
  responses: { 201: json(Answer.extend({ callId: z.string() }), 'The appliance answer; the IVR starts') },
});
const publicHangup = createRoute({
  method: 'delete',
  path: '/voice/webrtc/public/calls/{id}',
  request: { params: IdParam },
  responses: { 200: json(Ok, 'Ended') },
});

/**
 * Browser signalling: the agent console softphone (contacts.handle), supervisors
 * (contacts.monitor) and the web widget's public "call us" (no session,
 * rate-limited; the unguessable session id is the caller's only handle).
 */
export function webrtcRoutes(sessions: WebRtcSessions) {
  const app = createRouter();
  app.openapi(openAgent, async (c) => {
    const body = c.req.valid('json');
    const { userId } = principalOf(c);
    const callId = body.callId ?? (body.contactId ? sessions.callForContact(body.contactId) : undefined);
    const out = await sessions.openAgent(body.sdp, { userId, ...(callId ? { callId } : {}) });
    return c.json(out, 201);
  });
  app.openapi(answer, async (c) => {
    await sessions.answer(c.req.valid('param').id, {
      userId: principalOf(c).userId,
      callId: c.req.valid('json').callId,
    });
    return c.json({ ok: true }, 200);
  });
  app.openapi(stats, async (c) =>
    c.json(await sessions.stats(c.req.valid('param').id, principalOf(c).userId), 200),
  );
  app.openapi(hangup, async (c) => {
    await sessions.hangup(c.req.valid('param').id, principalOf(c).userId);
    return c.json({ ok: true }, 200);
  });
  app.openapi(supervise, async (c) => {
    const body = c.req.valid('json');
    const out = await sessions.openSupervisor(body.sdp, {
      userId: principalOf(c).userId,
      callId: body.callId,
      mode: body.mode,
    });
    return c.json(out, 201);
  });
  app.openapi(setMode, async (c) => {
    await sessions.setMode(c.req.valid('param').id, c.req.valid('json').mode, principalOf(c).userId);
    return c.json({ ok: true }, 200);
  });
  app.openapi(endSupervise, async (c) => {
    await sessions.hangup(c.req.valid('param').id, principalOf(c).userId);
    return c.json({ ok: true }, 200);
  });
  app.openapi(publicCall, async (c) => {
    const source = c.get('clientIp') ?? 'unknown';
    return c.json(await sessions.openPublic(c.req.valid('json').sdp, { source }), 201);
  });
  app.openapi(publicHangup, async (c) => {
    const s = sessions.get(c.req.valid('param').id);
    if (s?.role === 'customer') await sessions.hangup(s.sessionId);
    return c.json({ ok: true }, 200);
  });
  return app;
}
