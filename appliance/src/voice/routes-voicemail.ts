import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { ModuleContext } from '../modules.ts';
import type { VoiceContactsPort } from './contacts.ts';
import { VoiceError } from './errors.ts';
import type { VoiceStack } from './setup.ts';

/**
 * A voicemail's recording for whoever may handle its contact: an agent sees an
 * unclaimed out-of-hours voicemail in their inbox (or one they picked up) and
 * plays it before calling back; a supervisor (contacts.monitor) any. Audited.
 */
export function voicemailRoutes(
  stack: VoiceStack,
  deps: { contacts: VoiceContactsPort; recordRead: ModuleContext['recordRead'] },
) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/voicemails/{contactId}/wav',
      summary: "A voicemail contact's recording as WAV (the caller on the left); audited",
      middleware: [requirePermission('contacts.handle')] as const,
      request: { params: z.object({ contactId: z.uuid() }) },
      responses: { 200: { description: 'audio/wav' } },
    }),
    async (c) => {
      const { contactId } = c.req.valid('param');
      const p = principalOf(c);
      const contact = await deps.contacts.getContact(contactId).catch(() => undefined);
      const callId = contact?.attributes['voicemailCallId'];
      if (contact?.attributes['voicemail'] !== true || typeof callId !== 'string')
        throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No voicemail for contact ${contactId}`);
      const unclaimed = contact.state === 'queued' && !contact.agentId;
      if (!p.permissions.has('contacts.monitor') && contact.agentId !== p.userId && !unclaimed)
        throw new VoiceError('VOICE_NOT_YOUR_CALL', 'This voicemail is handled by another agent');
      const rec = await stack.recordings.stereoWav(callId);
      if (!rec) throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No recording for call ${callId}`);
      await deps.recordRead({
        actor: p.userId,
        target: `recording:${callId}`,
        action: 'recording.voicemail_played',
        source: c.get('clientIp'),
      });
      c.header('Content-Type', 'audio/wav');
      c.header('Content-Disposition', `attachment; filename="voicemail-${contactId}.wav"`);
      c.header('X-Recording-Truncated', String(rec.truncated));
      c.header('Cache-Control', 'no-store');
      return c.body(
        rec.wav.buffer.slice(rec.wav.byteOffset, rec.wav.byteOffset + rec.wav.length) as ArrayBuffer,
        200,
      );
    },
  );
  return app;
}
