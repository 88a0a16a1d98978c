import { randomUUID } from 'node:crypto';
import type { Call } from './call-types.ts';
import { VoiceError } from './errors.ts';
import type { HoldTone } from './hold-tone.ts';
import type { Binding } from './sip/registrar.ts';
import type { TransferSip } from './transfer-sip.ts';
import { ended, isBrowserLeg, meta, type TransferState } from './transfer-state.ts';
import type { CallControlDeps, Consult } from './transfer-types.ts';
import type { TransferTarget } from './types.ts';

export interface ConsultParts {
  state: TransferState;
  hold: HoldTone;
  sip: TransferSip;
  /** CallControl.resume by the agent: the customer back with the agent. */
  resume: (callId: string) => Promise<void>;
}

/** Attended transfer: consult a target on a new leg, then complete, cancel or turn it into a conference. */
export class Consults {
  #d: CallControlDeps;
  #p: ConsultParts;

  constructor(deps: CallControlDeps, parts: ConsultParts) {
    this.#d = deps;
    this.#p = parts;
  }

  /** The customer waits on the hold tone while the agent talks to the target on a new leg. */
  async start(
    call: Call,
    o: {
      to: TransferTarget;
      binding: Binding;
      agent: { legId: string; userId: string };
      base: { callId: string; contactId: string; fromUserId: string; to: TransferTarget };
      actor: { userId?: string };
    },
  ): Promise<void> {
    const { to, base, actor } = o;
    const callId = call.info.id;
    const mode = 'attended';
    await this.#p.hold.start(call);
    const legId = `${callId}:consult:${randomUUID().slice(0, 8)}`;
    const port = await this.#d.worker.openRtp(legId, this.#d.bind);
    this.#d.registry.indexLeg(legId, call);
    call.info.consulting = to;
    const dialog = await this.#p.sip.ring(call, o.binding, { legId, port });
    if (!dialog || ended(call)) {
      delete call.info.consulting;
      await this.#d.worker.request({ op: 'close', legId }).catch(() => undefined);
      if (!ended(call)) await this.#p.resume(callId);
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'failed' }, meta(actor));
      throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'The transfer target did not answer');
    }
    this.#p.state.of(call).consult = { target: to, dialog, legId, port, fromUserId: o.agent.userId };
    await this.#d.worker.request({ op: 'bridge', a: o.agent.legId, b: legId });
    await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'started' }, meta(actor));
  }

  /** Attended transfer: the target takes the customer; the consulting agent is released. */
  async complete(call: Call, actor: { userId?: string }): Promise<void> {
    const callId = call.info.id;
    const x = this.#p.state.of(call);
    const c = x.consult;
    const agent = call.info.agentLeg;
    if (!c || !agent) throw new VoiceError('VOICE_CALL_STATE', 'No attended transfer in progress');
    x.consult = undefined;
    delete call.info.consulting;
    // Re-point the target's phone at the agent leg (re-INVITE) so the agent channel keeps recording;
    // a browser's leg cannot carry a phone, so then the consult leg takes over the recording instead.
    const moved = isBrowserLeg(agent) ? undefined : await this.#p.sip.reinviteTo(c.dialog, agent.port);
    await this.endConference(call);
    await this.#d.worker.request({ op: 'unbridge', legId: agent.legId });
    const oldAgent = call.agent;
    if (moved) {
      await this.#d.worker.request({ op: 'update', legId: agent.legId, remote: moved });
      await this.#d.worker.request({ op: 'close', legId: c.legId }).catch(() => undefined);
    } else
      await this.#d.worker
        .request({ op: 'recordMove', from: agent.legId, to: c.legId })
        .catch((e: unknown) => this.#d.logger.warn('agent channel not moved', { callId, error: String(e) }));
    if (oldAgent) await this.#p.sip.bye(oldAgent.dialog);
    const legId = moved ? agent.legId : c.legId;
    call.agent = { dialog: c.dialog, legId };
    call.info.agentLeg = {
      legId,
      port: moved ? agent.port : c.port,
      userId: 'userId' in c.target ? c.target.userId : 'extension' in c.target ? c.target.extension : '',
    };
    if (!moved) await this.#d.worker.request({ op: 'close', legId: agent.legId }).catch(() => undefined);
    await this.#p.hold.stop(call);
    await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: legId });
    await this.#d.bus.publish(
      'call.transferred',
      {
        callId,
        contactId: call.info.contactId ?? '',
        mode: 'attended',
        stage: 'completed',
        ...(c.fromUserId ? { fromUserId: c.fromUserId } : {}),
        to: c.target,
      },
      meta(actor),
    );
  }

  /** Attended transfer abandoned: the target is hung up and the customer is back with the agent. */
  async cancel(call: Call, actor: { userId?: string }): Promise<void> {
    const callId = call.info.id;
    const x = this.#p.state.of(call);
    const c = x.consult;
    if (!c) throw new VoiceError('VOICE_CALL_STATE', 'No attended transfer in progress');
    await this.drop(call, c, true);
    await this.#p.resume(callId);
    await this.#d.bus.publish(
      'call.transferred',
      {
        callId,
        contactId: call.info.contactId ?? '',
        mode: 'attended',
        stage: 'cancelled',
        ...(c.fromUserId ? { fromUserId: c.fromUserId } : {}),
        to: c.target,
      },
      meta(actor),
    );
  }

  /**
   * Attended transfer turned three-way: the customer, the agent and the consulted
   * target all hear each other. The agent then leaves (complete) or drops the target (cancel).
   */
  async conference(call: Call, actor: { userId?: string }): Promise<void> {
    const callId = call.info.id;
    const x = this.#p.state.of(call);
    const c = x.consult;
    const agent = call.info.agentLeg;
    if (!c || !agent)
      throw new VoiceError('VOICE_CALL_STATE', 'Consult someone before starting a conference');
    if (x.conference) return;
    await this.#p.hold.stop(call);
    await this.#d.worker.request({ op: 'unbridge', legId: agent.legId });
    await this.#d.worker.request({
      op: 'conference',
      legs: [call.info.customerLeg.legId, agent.legId, c.legId],
      // The recording keeps what the customer hears: the agent and the target.
      record: { customer: call.info.customerLeg.legId, agent: agent.legId },
    });
    x.conference = true;
    call.info.conference = true;
    await this.#d.bus.publish(
      'call.conferenced',
      { callId, contactId: call.info.contactId ?? '', byUserId: agent.userId, with: c.target },
      meta(actor),
    );
  }

  async drop(call: Call, c: Consult, sendBye: boolean): Promise<void> {
    this.#p.state.of(call).consult = undefined;
    delete call.info.consulting;
    await this.endConference(call);
    if (sendBye) await this.#p.sip.bye(c.dialog);
    this.#d.registry.unindexSip(c.dialog.callId);
    await this.#d.worker.request({ op: 'close', legId: c.legId }).catch(() => undefined);
  }

  async endConference(call: Call): Promise<void> {
    const x = this.#p.state.of(call);
    if (!x.conference) return;
    x.conference = false;
    delete call.info.conference;
    await this.#d.worker.request({ op: 'unmix', legId: call.info.customerLeg.legId }).catch(() => undefined);
  }
}
