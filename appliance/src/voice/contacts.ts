import type { EventBus } from '../events/index.ts';
import type { Logger } from '../logging/index.ts';
import type { VoiceService } from './calls.ts';
import type { CallInfo } from './types.ts';

/** What voice needs from conversations; structural, so voice does not depend on its internals. */
export interface VoiceContactsPort {
  ingest(msg: {
    channel: 'voice';
    handles: Array<{ kind: 'phone' | 'web_visitor'; value: string }>;
    externalId: string;
    threadKey: string;
    text: string;
    receivedAt: Date;
    meta?: Record<string, string>;
    attributes?: Record<string, string | number | boolean>;
  }): Promise<{ contactId: string; customerId: string }>;
  /** Opens the call's contact with no message: what was said arrives as transcripts, never as synthetic text. */
  openContact(o: {
    channel: 'voice';
    handles: Array<{ kind: 'phone' | 'web_visitor'; value: string }>;
    externalId: string;
    threadKey: string;
    receivedAt: Date;
    meta?: Record<string, string>;
    attributes?: Record<string, string | number | boolean>;
  }): Promise<{ contactId: string; customerId: string }>;
  transition(
    contactId: string,
    to: 'queued' | 'wrap_up' | 'closed' | 'abandoned',
    options?: { actor?: string },
  ): Promise<unknown>;
  getContact(id: string): Promise<{
    state: string;
    customerId?: string;
    agentId?: string;
    attributes: Record<string, string | number | boolean>;
  }>;
  setAttributes(
    contactId: string,
    attrs: Record<string, string | number | boolean>,
    actor?: string,
  ): Promise<unknown>;
}

/**
 * A call is a contact: the IVR's enqueue opens one (caller-ID → customer,
 * created when unknown); routing's accepted offer rings the agent's phone, or,
 * when they have none, reserves the call for their console softphone; the
 * call sent back to a queue is queued again for routing; the hangup ends the
 * contact (abandoned while waiting, closed after wrap-up).
 */
export function callContacts(
  voice: () => VoiceService,
  deps: { contacts: VoiceContactsPort; bus: EventBus; logger: Logger },
) {
  const { contacts, bus, logger } = deps;
  // Routing can offer (and an agent accept) the contact before open() has
  // returned its id to the call: acceptances wait for opens still in flight.
  const opening = new Set<Promise<unknown>>();
  const open = (call: CallInfo, callerId: string | undefined) => {
    const p = openContact(call, callerId);
    opening.add(p);
    void p.then(
      () => opening.delete(p),
      () => opening.delete(p),
    );
    return p;
  };
  const findCall = async (contactId: string) => {
    const now = voice().byContact(contactId);
    if (now || opening.size === 0) return now;
    await Promise.allSettled([...opening]);
    // The call records the id in its own continuation of the same promise; let it run first.
    await new Promise((r) => setImmediate(r));
    return voice().byContact(contactId);
  };
  const openContact = async (call: CallInfo, callerId: string | undefined) => {
    const base = {
      channel: 'voice' as const,
      externalId: `call:${call.id}`,
      threadKey: `call:${call.id}`,
      receivedAt: new Date(call.startedAt),
      meta: { callId: call.id },
      attributes: { ...call.attributes },
    };
    type Handle = { kind: 'phone' | 'web_visitor'; value: string };
    const openWith = (handles: Handle[]) =>
      call.attributes['voicemail'] === true
        ? contacts.ingest({
            ...base,
            handles,
            text: `Voicemail, ${call.attributes['voicemailSeconds'] ?? 0} s (GET /api/voice/voicemails/<contact id>/wav)`,
          })
        : contacts.openContact({ ...base, handles });
    try {
      if (callerId) return await openWith([{ kind: 'phone', value: callerId }]);
    } catch (e) {
      // A withheld or malformed caller-ID is still a caller: they get an anonymous customer.
      logger.info('caller-ID not usable as a phone handle', { callId: call.id, error: String(e) });
    }
    return openWith([{ kind: 'web_visitor', value: `call-${call.id}` }]);
  };

  /** callId → the agent who accepted its offer; only they may answer it in the console softphone. */
  const accepted = new Map<string, string>();
  const offAccepted = bus.subscribe('routing.offer_accepted', async (e) => {
    const contactId = e.data.contactId;
    const call = contactId ? await findCall(contactId) : undefined;
    if (!call) return;
    voice()
      .connectAgent(call.id, e.data.agentId)
      .then(
        (ok) => {
          // No desk phone (or it did not answer): the call stays queued for the agent's browser softphone.
          if (ok) return;
          accepted.set(call.id, e.data.agentId);
          logger.info('agent phone not connected; their softphone may attach', { callId: call.id });
        },
        (err: unknown) =>
          logger.error('connecting the agent failed', { callId: call.id, error: String(err) }),
      );
  });

  // A call sent back to a queue (blind transfer to a queue, a transfer nobody answered, a frozen
  // agent): its contact is queued again with the new queue, and routing re-offers it (keeping its age).
  const offQueued = bus.subscribe('call.queued', async (e) => {
    const { contactId, callId, queue } = e.data;
    // Only a call sent back from an agent names them; the IVR's first enqueue does not, and by the
    // time its event is handled routing may already have offered (or the agent accepted) the contact.
    const from = e.data.attributes?.['transferredFrom'];
    if (from === undefined) return;
    accepted.delete(callId);
    if (!contactId) return;
    try {
      const c = await contacts.getContact(contactId);
      if (c.state !== 'active' && c.state !== 'offered') return;
      await contacts.setAttributes(contactId, { ivrQueue: queue, transferredFrom: from }, 'system');
      await contacts.transition(contactId, 'queued', { actor: 'system' });
      logger.info('call requeued for routing', { callId, contactId, queue });
    } catch (err) {
      logger.warn('requeueing the call contact failed', { callId, contactId, error: String(err) });
    }
  });

  const offEnded = bus.subscribe('call.ended', async (e) => {
    accepted.delete(e.data.callId);
    const { contactId } = e.data;
    if (!contactId) return;
    try {
      const c = await contacts.getContact(contactId);
      // A voicemail's contact waits in the inbox for a call back; the hang-up after it is no abandon.
      if (c.attributes['voicemail'] === true) return;
      if (c.state === 'active') {
        await contacts.transition(contactId, 'wrap_up', { actor: 'system' });
        await contacts.transition(contactId, 'closed', { actor: 'system' });
      } else if (c.state === 'queued' || c.state === 'offered') {
        await contacts.transition(contactId, 'abandoned', { actor: 'system' });
      } else if (c.state === 'wrap_up') {
        await contacts.transition(contactId, 'closed', { actor: 'system' });
      }
    } catch (err) {
      logger.warn('ending the call contact failed', { contactId, error: String(err) });
    }
  });

  return {
    open,
    /** Whether `userId` may attach a browser leg to the queued call: the agent who accepted its offer. */
    mayAttach: (callId: string, userId: string) => accepted.get(callId) === userId,
    close() {
      accepted.clear();
      offAccepted();
      offQueued();
      offEnded();
    },
  };
}
