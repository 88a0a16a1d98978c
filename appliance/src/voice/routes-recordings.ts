import { createRoute, z } from '@hono/zod-openapi';
import {
  createRouter,
  cursorAfter,
  NextCursor,
  PageQuery,
  pageOf,
  principalOf,
  requirePermission,
} from '../http/index.ts';
import type { ModuleContext } from '../modules.ts';
import { VoiceError } from './errors.ts';
import type { VoiceStack } from './setup.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const CallId = z.object({ callId: z.uuid() });

const Summary = z.object({
  callId: z.string(),
  startedAt: z.string(),
  status: z.enum(['recording', 'complete', 'interrupted']),
  /** Never presented as complete when the process died mid-call. */
  truncated: z.boolean(),
  legs: z.array(z.string()),
  pausedFor: z.array(z.string()),
  /** Retention class ('default' unless the call's queue has one). */
  class: z.string(),
  queue: z.string().optional(),
  contactId: z.string().optional(),
  customerId: z.string().optional(),
  /** Ids of the active legal holds covering it (on the call, its contact or its customer). */
  holds: z.array(z.string()),
});

/** Recording list and stereo WAV download (contacts.monitor, audited); retention (system.manage). */
export function recordingRoutes(
  stack: Pick<VoiceStack, 'recordings' | 'retention'> & Partial<Pick<VoiceStack, 'holds'>>,
  recordRead: ModuleContext['recordRead'],
) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/recordings',
      summary: 'Call recordings, newest first, a page at a time (limit ≤ 200; cursor from nextCursor)',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { query: PageQuery },
      responses: {
        200: json(z.object({ recordings: z.array(Summary), nextCursor: NextCursor }), 'A page of recordings'),
      },
    }),
    async (c) => {
      const res = await stack.recordings.page(pageOf(c.req.valid('query'), 'voice/recordings'));
      const nextCursor = cursorAfter('voice/recordings', res.last);
      const active = (await stack.holds?.list({ status: 'active' })) ?? [];
      const recordings = res.recordings.map((r) => ({
        ...r,
        holds: active
          .filter(
            (h) =>
              (h.kind === 'recording' && h.targetId === r.callId) ||
              (h.kind === 'contact' && h.targetId === r.contactId) ||
              (h.kind === 'customer' && h.targetId === r.customerId),
          )
          .map((h) => h.id),
      }));
      return c.json({ recordings, ...(nextCursor ? { nextCursor } : {}) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/recordings/{callId}/wav',
      summary: 'Download a recording as stereo WAV (customer left, agent right); audited',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CallId },
      responses: { 200: { description: 'audio/wav; X-Recording-Truncated: true when incomplete' } },
    }),
    async (c) => {
      const { callId } = c.req.valid('param');
      const rec = await stack.recordings.stereoWav(callId);
      if (!rec) throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No recording for call ${callId}`);
      await recordRead({
        actor: principalOf(c).userId,
        target: `recording:${callId}`,
        action: 'recording.download',
        source: c.get('clientIp'),
      });
      c.header('Content-Type', 'audio/wav');
      c.header('Content-Disposition', `attachment; filename="call-${callId}.wav"`);
      const truncated = rec.truncated || ((await stack.recordings.summary(callId))?.truncated ?? false);
      c.header('X-Recording-Truncated', String(truncated));
      c.header('Cache-Control', 'no-store');
      return c.body(
        rec.wav.buffer.slice(rec.wav.byteOffset, rec.wav.byteOffset + rec.wav.length) as ArrayBuffer,
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/recordings/{callId}',
      summary: 'Recording metadata (legs, truncation); audited',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CallId },
      responses: {
        200: json(
          Summary.extend({
            legDetails: z.record(
              z.string(),
              z.object({ truncated: z.boolean(), chunks: z.number(), samples: z.number() }),
            ),
          }),
          'Metadata',
        ),
      },
    }),
    async (c) => {
      const { callId } = c.req.valid('param');
      const summary = await stack.recordings.summary(callId);
      const rec = summary ? await stack.recordings.stereoWav(callId) : undefined;
      if (!summary || !rec)
        throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No recording for call ${callId}`);
      await recordRead({
        actor: principalOf(c).userId,
        target: `recording:${callId}`,
        action: 'recording.metadata',
        source: c.get('clientIp'),
      });
      const legDetails: Record<string, { truncated: boolean; chunks: number; samples: number }> = {};
      for (const [leg, d] of Object.entries(rec.legs)) if (d) legDetails[leg] = d;
      const holds = ((await stack.holds?.covering(summary)) ?? []).map((h) => h.id);
      return c.json({ ...summary, truncated: rec.truncated || summary.truncated, legDetails, holds }, 200);
    },
  );
  const Retention = z.object({ days: z.number().int().min(1).max(3650) }).strict();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/recordings-retention',
      summary: 'Recording retention in days',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(z.object({ days: z.number() }), 'Retention') },
    }),
    async (c) => c.json({ days: await stack.retention.days() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/voice/recordings-retention',
      summary: 'Set recording retention; the hourly purge deletes older recordings',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { content: { 'application/json': { schema: Retention } }, required: true } },
      responses: { 200: json(z.object({ days: z.number() }), 'Saved') },
    }),
    async (c) => {
      const { days } = c.req.valid('json');
      await stack.retention.setDays(days, { userId: principalOf(c).userId, source: c.get('clientIp') });
      return c.json({ days }, 200);
    },
  );
  return app;
}
