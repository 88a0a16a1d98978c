import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { ModuleContext } from '../modules.ts';
import type { VoiceStack } from './setup.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const Hold = z.object({
  id: z.string(),
  kind: z.enum(['recording', 'contact', 'customer']),
  targetId: z.string(),
  customerId: z.string().optional(),
  reason: z.string(),
  caseRef: z.string().optional(),
  status: z.enum(['active', 'released']),
  createdAt: z.string(),
  createdBy: z.string(),
  releasedAt: z.string().optional(),
  releasedBy: z.string().optional(),
  releaseReason: z.string().optional(),
});
// Reasons are checked by the service (VOICE_HOLD_INVALID names the field), not by the schema's generic 400.
const NewHold = z.object({
  kind: z.enum(['recording', 'contact', 'customer']),
  targetId: z.string().max(80),
  reason: z.string().max(2000).optional(),
  caseRef: z.string().max(2000).optional(),
});
const Reason = z.object({ reason: z.string().max(2000).optional() });
const Policy = z
  .object({
    days: z.number().int(),
    classes: z.record(z.string(), z.number().int()),
    queueClasses: z.record(z.string(), z.string()),
  })
  .strict();

/**
 * Legal holds (recordings.hold), exports with a signed manifest (recordings.export,
 * an audited read) and the retention policy by class (system.manage).
 */
export function holdRoutes(
  stack: Pick<VoiceStack, 'holds' | 'exports' | 'retention'>,
  recordRead: ModuleContext['recordRead'],
) {
  const app = createRouter();
  const actor = (c: Parameters<typeof principalOf>[0]) => ({
    userId: principalOf(c).userId,
    source: c.get('clientIp'),
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/holds',
      summary: 'Legal holds, newest first (status=active|released filters)',
      middleware: [requirePermission('recordings.hold')] as const,
      request: { query: z.object({ status: z.enum(['active', 'released']).optional() }) },
      responses: { 200: json(z.object({ holds: z.array(Hold) }), 'Holds') },
    }),
    async (c) => {
      const { status } = c.req.valid('query');
      return c.json({ holds: await stack.holds.list(status ? { status } : {}) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/holds',
      summary: 'Place a legal hold on a recording (call id), contact or customer; reason required; audited',
      middleware: [requirePermission('recordings.hold')] as const,
      request: body(NewHold),
      responses: { 201: json(Hold, 'Placed') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const hold = await stack.holds.create(
        { kind: input.kind, targetId: input.targetId, reason: input.reason, caseRef: input.caseRef },
        actor(c),
      );
      return c.json(hold, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/holds/{id}/release',
      summary: 'Release a legal hold; reason required; audited',
      middleware: [requirePermission('recordings.hold')] as const,
      request: { params: z.object({ id: z.string().max(80) }), ...body(Reason) },
      responses: { 200: json(Hold, 'Released') },
    }),
    async (c) => {
      const hold = await stack.holds.release(c.req.valid('param').id, c.req.valid('json').reason, actor(c));
      return c.json(hold, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/recordings/{callId}/export',
      summary:
        'Export a recording: a tar of the stereo WAV and manifest.json (SHA-256s, call, who, why, holds, earlier exports) signed with the audit key; audited',
      middleware: [requirePermission('recordings.export')] as const,
      request: { params: z.object({ callId: z.uuid() }), ...body(Reason) },
      responses: { 200: { description: 'application/x-tar' } },
    }),
    async (c) => {
      const { callId } = c.req.valid('param');
      const who = actor(c);
      const out = await stack.exports.export(callId, { reason: c.req.valid('json').reason, actor: who });
      await recordRead({
        actor: who.userId,
        target: `recording:${callId}`,
        action: 'recording.exported',
        ...(who.source ? { source: who.source } : {}),
        details: { reason: out.manifest.reason, sha256: out.manifest.files[0]?.sha256 },
      });
      c.header('Content-Type', 'application/x-tar');
      c.header('Content-Disposition', `attachment; filename="${out.fileName}"`);
      c.header('Cache-Control', 'no-store');
      return c.body(
        out.tar.buffer.slice(out.tar.byteOffset, out.tar.byteOffset + out.tar.length) as ArrayBuffer,
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/recordings-retention/policy',
      summary: 'Recording retention by class: default days, days per class, each queue’s class',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(Policy, 'Policy') },
    }),
    async (c) => c.json(await stack.retention.policy(), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/voice/recordings-retention/policy',
      summary: 'Replace the retention policy (audited); the hourly purge keeps each class its days',
      middleware: [requirePermission('system.manage')] as const,
      request: body(Policy),
      responses: { 200: json(Policy, 'Saved') },
    }),
    async (c) => c.json(await stack.retention.setPolicy(c.req.valid('json'), actor(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/recordings-retention/run',
      summary: 'Run the retention purge now (as the hourly job does): how many went, which were kept and why',
      middleware: [requirePermission('system.manage')] as const,
      responses: {
        200: json(
          z.object({
            purged: z.number(),
            kept: z.array(z.object({ callId: z.string(), reasons: z.array(z.string()) })),
          }),
          'The pass',
        ),
      },
    }),
    async (c) => c.json(await stack.retention.run(), 200),
  );
  return app;
}
