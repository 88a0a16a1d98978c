import type { FlowOutcome } from '../flows/index.ts';
import { runFlow } from '../flows/index.ts';
import type { Call, CallsContext } from './call-types.ts';
import { holdInQueue } from './queue-wait.ts';

/** Runs the inbound flow on a call; an enqueue opens the contact and holds the caller until an agent takes it. */
export class IvrRunner {
  #c: CallsContext;

  constructor(c: CallsContext) {
    this.#c = c;
  }

  async run(call: Call, callerId: string | undefined): Promise<void> {
    const d = this.#c.d;
    let outcome: FlowOutcome = { kind: 'hangup', attributes: {} };
    try {
      const flow = await d.options.inboundFlow();
      if (flow) {
        const base = d.runOptions?.(call.info, callerId) ?? {};
        outcome = await runFlow(flow, call.io, {
          ...base,
          vars: { ...(base.vars ?? {}), callerId: callerId ?? '' },
        });
      }
    } catch (e) {
      if (call.info.state === 'ended') return;
      d.logger.warn('ivr failed', {
        callId: call.info.id,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    if (call.io.voicemailMs !== undefined) await this.#voicemailLeft(call, callerId, call.io.voicemailMs);
    if (call.info.state === 'ended') return;
    Object.assign(call.info.attributes, outcome.attributes);
    if (outcome.kind === 'enqueue') {
      call.info.state = 'queued';
      call.info.queue = outcome.queue;
      call.info.attributes['ivrQueue'] = outcome.queue;
      try {
        const opened = await d.openContact?.(structuredClone(call.info), callerId);
        if (opened) {
          call.info.contactId = opened.contactId;
          call.info.customerId = opened.customerId;
        }
      } catch (e) {
        d.logger.error('opening the contact failed', {
          callId: call.info.id,
          error: e instanceof Error ? e.message : String(e),
        });
      }
      if ((call.info.state as string) === 'ended') return;
      await d.bus.publish('call.queued', {
        callId: call.info.id,
        contactId: call.info.contactId ?? '',
        channel: 'voice',
        queue: outcome.queue,
        priority: outcome.priority,
        attributes: { ...call.info.attributes },
      });
      const contactId = call.info.contactId;
      const position = d.queuePosition;
      void holdInQueue(call.io, {
        tts: d.tts,
        logger: d.logger,
        lang: outcome.language,
        everyMs: outcome.announceEverySeconds * 1000,
        ...(outcome.holdMusic ? { music: outcome.holdMusic } : {}),
        waiting: () => call.info.state === 'queued' || call.info.state === 'connecting',
        estimate: () => (contactId && position ? position(contactId) : undefined),
        callId: call.info.id,
      });
      return;
    }
    await this.#c.hangup(call.info.id, outcome.kind === 'transfer' ? 'transfer_unavailable' : 'flow_hangup');
  }

  /**
   * A voicemail (out of hours) reaches someone: it opens an offline voice contact, in every agent's
   * inbox until one picks it up, linking the call's recording so they can play it and call back.
   */
  async #voicemailLeft(call: Call, callerId: string | undefined, ms: number): Promise<void> {
    const d = this.#c.d;
    if (!d.openContact || call.info.contactId) return;
    const seconds = Math.round(ms / 1000);
    Object.assign(call.info.attributes, {
      offline: true,
      voicemail: true,
      voicemailSeconds: seconds,
      voicemailCallId: call.info.id,
    });
    try {
      const opened = await d.openContact(structuredClone(call.info), callerId);
      call.info.contactId = opened.contactId;
      call.info.customerId = opened.customerId;
      await d.bus.publish('call.voicemail_left', {
        callId: call.info.id,
        contactId: opened.contactId,
        seconds,
      });
    } catch (e) {
      d.logger.error('the voicemail contact was not opened', {
        callId: call.info.id,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
