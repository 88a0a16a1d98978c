import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/index.ts';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { VoiceService } from './calls.ts';
import { VoiceError } from './errors.ts';

const Params = z.object({ id: z.string().min(1).max(100) });
const Ok = {
  content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } },
  description: 'Done',
};
const Target = z.union([
  z.object({ userId: z.string().min(1).max(64) }).strict(),
  z.object({ extension: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }).strict(),
  z.object({ queue: z.string().min(1).max(64) }).strict(),
]);
const TransferIn = z.object({ mode: z.enum(['blind', 'attended']), to: Target }).strict();

const post = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    summary,
    middleware: [requirePermission('contacts.handle')] as const,
    request: { params: Params },
    responses: { 200: Ok },
  });

/** Only the agent on the call controls it (transfer, hold). */
function ownCall(voice: VoiceService, c: Context<AppEnv>, id: string): { userId: string } {
  const call = voice.get(id);
  if (!call) throw new VoiceError('VOICE_CALL_NOT_FOUND', `No live call ${id}`);
  const { userId } = principalOf(c);
  if (call.agentLeg?.userId !== userId) throw new VoiceError('VOICE_NOT_YOUR_CALL', 'Not your call');
  return { userId };
}

/** Call control for the agent on the call: blind/attended transfer, conference, complete/cancel, hold/resume. */
export function transferRoutes(voice: VoiceService) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/calls/{id}/transfer',
      summary: 'Transfer the call (blind, or attended: consult the target first)',
      middleware: [requirePermission('contacts.handle')] as const,
      request: {
        params: Params,
        body: { content: { 'application/json': { schema: TransferIn } }, required: true },
      },
      responses: { 200: Ok },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const b = c.req.valid('json');
      await voice.transfer(id, b.mode, b.to, ownCall(voice, c, id));
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    post('/voice/calls/{id}/transfer/complete', 'Hand the customer to the consulted target'),
    async (c) => {
      const { id } = c.req.valid('param');
      await voice.completeTransfer(id, ownCall(voice, c, id));
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    post('/voice/calls/{id}/transfer/cancel', 'Drop the consulted target, back to the customer'),
    async (c) => {
      const { id } = c.req.valid('param');
      await voice.cancelTransfer(id, ownCall(voice, c, id));
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    post('/voice/calls/{id}/conference', 'Three-way: the customer joins the agent and the consulted target'),
    async (c) => {
      const { id } = c.req.valid('param');
      await voice.conference(id, ownCall(voice, c, id));
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(post('/voice/calls/{id}/hold', 'Hold the customer (they hear the hold tone)'), async (c) => {
    const { id } = c.req.valid('param');
    ownCall(voice, c, id);
    await voice.hold(id);
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(post('/voice/calls/{id}/resume', 'Resume a held call'), async (c) => {
    const { id } = c.req.valid('param');
    ownCall(voice, c, id);
    await voice.resume(id);
    return c.json({ ok: true as const }, 200);
  });
  return app;
}
