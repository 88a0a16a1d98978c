import { randomUUID } from 'node:crypto';
import type { Call } from './call-types.ts';
import { Consults } from './consult.ts';
import { VoiceError } from './errors.ts';
import { HoldTone } from './hold-tone.ts';
import { answerReinvite } from './reinvite.ts';
import type { SipRequest } from './sip/message.ts';
import type { Binding } from './sip/registrar.ts';
import type { Peer } from './sip/transport.ts';
import { TransferSip } from './transfer-sip.ts';
import { ended, isBrowserLeg, meta, TransferState } from './transfer-state.ts';
import type { CallControlDeps } from './transfer-types.ts';
import type { TransferTarget } from './types.ts';

/**
 * Transfer (blind, attended) and hold for live calls. The agent's media-worker leg outlives the
 * agent: a transfer re-points it at the new phone, so its recording (the agent channel) runs on.
 */
export class CallControl {
  #d: CallControlDeps;
  #state = new TransferState();
  #hold: HoldTone;
  #sip: TransferSip;
  #consults: Consults;

  constructor(deps: CallControlDeps) {
    this.#d = deps;
    this.#hold = new HoldTone(deps.worker, this.#state);
    this.#sip = new TransferSip(deps);
    this.#consults = new Consults(deps, {
      state: this.#state,
      hold: this.#hold,
      sip: this.#sip,
      resume: (callId) => this.resume(callId, 'agent'),
    });
  }

  #live(callId: string): Call {
    const call = this.#d.registry.get(callId);
    if (!call || ended(call)) throw new VoiceError('VOICE_CALL_NOT_FOUND', `No live call ${callId}`);
    return call;
  }

  async #binding(to: TransferTarget): Promise<Binding> {
    const b =
      'userId' in to
        ? this.#d.accounts.bindingForUser(to.userId, await this.#d.accounts.list())
        : 'extension' in to
          ? this.#d.accounts.binding(to.extension)
          : undefined;
    if (!b) throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'The transfer target has no registered phone');
    // Transfers do not negotiate SDES yet: never ring an SRTP-required phone with a plain offer.
    if ((await this.#d.accounts.get(b.username))?.srtp === 'required')
      throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'The transfer target requires SRTP', {
        reason: 'VOICE_SRTP_REQUIRED',
      });
    return b;
  }

  async transfer(
    callId: string,
    mode: 'blind' | 'attended',
    to: TransferTarget,
    actor: { userId?: string } = {},
  ): Promise<void> {
    const call = this.#live(callId);
    const x = this.#state.of(call);
    const current = call.info.agentLeg;
    if (call.info.state !== 'bridged' || !current || x.consult)
      throw new VoiceError(
        'VOICE_CALL_STATE',
        'Only a bridged call without a transfer in progress can be transferred',
      );
    if ('queue' in to && mode === 'attended')
      throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'A queue cannot be consulted; use a blind transfer');
    // Resolve a phone target before anything changes, so a bad target leaves the call as it was.
    const binding = 'queue' in to ? undefined : await this.#binding(to);
    const base = { callId, contactId: call.info.contactId ?? '', fromUserId: current.userId, to } as const;
    // A blind transfer away from a browser hands the agent channel to a plain RTP leg first,
    // so the next agent can be a desk phone and the recording runs on in one stream.
    const agent =
      mode === 'blind' && isBrowserLeg(current) ? await this.#toRtpAgentLeg(call, current) : current;
    if ('queue' in to) {
      await this.#releaseAgent(call);
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'completed' }, meta(actor));
      await this.#requeue(call, agent, to.queue);
      return;
    }
    if (!binding) return;
    if (mode === 'blind') {
      await this.#releaseAgent(call);
      const dialog = await this.#sip.ring(call, binding, { legId: agent.legId, port: agent.port });
      if (!dialog || ended(call)) {
        await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'failed' }, meta(actor));
        // The first agent is gone already: the customer goes back to their queue rather than waiting on hold.
        if (!ended(call)) await this.#requeue(call, agent, call.info.queue ?? 'default');
        throw new VoiceError(
          'VOICE_TARGET_UNAVAILABLE',
          'The transfer target did not answer; the call was requeued',
        );
      }
      call.agent = { dialog, legId: agent.legId };
      call.info.agentLeg = { ...agent, userId: 'userId' in to ? to.userId : (binding.username ?? '') };
      await this.#hold.stop(call);
      await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: agent.legId });
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'completed' }, meta(actor));
      return;
    }
    await this.#consults.start(call, { to, binding, agent, base, actor });
  }

  /** Attended transfer: the target takes the customer; the consulting agent is released. */
  async complete(callId: string, actor: { userId?: string } = {}): Promise<void> {
    await this.#consults.complete(this.#live(callId), actor);
  }

  /** Attended transfer abandoned: the target is hung up and the customer is back with the agent. */
  async cancel(callId: string, actor: { userId?: string } = {}): Promise<void> {
    await this.#consults.cancel(this.#live(callId), actor);
  }

  /** Attended transfer turned three-way (see Consults.conference). */
  async conference(callId: string, actor: { userId?: string } = {}): Promise<void> {
    await this.#consults.conference(this.#live(callId), actor);
  }

  async hold(callId: string, by: 'agent' | 'customer' = 'agent'): Promise<void> {
    const call = this.#live(callId);
    if (this.#state.of(call).conference)
      throw new VoiceError('VOICE_CALL_STATE', 'A conference cannot be held; leave it or drop the target');
    if (call.info.state !== 'bridged')
      throw new VoiceError('VOICE_CALL_STATE', 'Only a bridged call can be held');
    if (call.info.held) return;
    call.info.held = by;
    if (by === 'agent') await this.#hold.start(call);
    await this.#d.bus.publish('call.held', { callId, contactId: call.info.contactId ?? '', by });
  }

  async resume(callId: string, by: 'agent' | 'customer' = 'agent'): Promise<void> {
    const call = this.#live(callId);
    if (this.#state.of(call).consult)
      throw new VoiceError('VOICE_CALL_STATE', 'Complete or cancel the transfer first');
    const wasHeld = call.info.held;
    await this.#hold.stop(call);
    const agent = call.info.agentLeg;
    if (agent && call.info.state === 'bridged')
      await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: agent.legId });
    if (!wasHeld) return;
    delete call.info.held;
    await this.#d.bus.publish('call.resumed', { callId, contactId: call.info.contactId ?? '', by });
  }

  /** A re-INVITE on either dialog: follow a moved endpoint, answer the hold direction, hold/resume. */
  onReinvite(call: Call, req: SipRequest, from: Peer): Promise<void> {
    return answerReinvite(call, { req, from, deps: this.#d, state: this.#state, control: this });
  }

  /** BYE on a consult dialog ends the consultation only; returns true when it was one. */
  onBye(call: Call, sipId: string): boolean {
    const c = this.#state.of(call).consult;
    if (!c || c.dialog.callId !== sipId) return false;
    void this.#consults
      .drop(call, c, false)
      .then(() => this.resume(call.info.id, 'agent'))
      .catch(() => undefined);
    return true;
  }

  /** The hold tone is 30 s long: loop it while the call is still held. */
  onPlayed(call: Call, playId: string, completed: boolean): void {
    const x = this.#state.of(call);
    if (completed && x.holdPlay === playId && !ended(call)) void this.#hold.play(call);
  }

  /** The agent leg parked by a queue transfer, handed to the next agent's connection. */
  takeParked(call: Call): { legId: string; port: number } | undefined {
    const x = this.#state.of(call);
    const p = x.parked;
    x.parked = undefined;
    if (p) void this.#hold.stop(call);
    return p;
  }

  park(call: Call, leg: { legId: string; port: number }): void {
    this.#state.of(call).parked = leg;
  }

  /** Hangup: the consult leg and a parked agent leg go too (the agent channel is finished properly). */
  async onHangup(call: Call): Promise<Partial<Record<'agent', number>>> {
    const x = this.#state.of(call);
    x.holdPlay = undefined;
    if (x.consult) await this.#consults.drop(call, x.consult, true);
    const p = x.parked;
    if (!p) return {};
    x.parked = undefined;
    const r = await this.#d.worker
      .request<{ chunks: number }>({ op: 'recordStop', legId: p.legId })
      .catch(() => undefined);
    await this.#d.worker.request({ op: 'close', legId: p.legId }).catch(() => undefined);
    return r ? { agent: r.chunks } : {};
  }

  /**
   * Replaces the browser leg carrying the agent with a fresh RTP leg that takes
   * over its recording; the browser leg is closed (its session sees the call is
   * no longer its own, so the call lives on).
   */
  async #toRtpAgentLeg(
    call: Call,
    browser: { legId: string; userId: string },
  ): Promise<{ legId: string; port: number; userId: string }> {
    const legId = `${call.info.id}:agent-${randomUUID().slice(0, 8)}`;
    const port = await this.#d.worker.openRtp(legId, this.#d.bind);
    this.#d.registry.indexLeg(legId, call);
    await this.#d.worker
      .request({ op: 'recordMove', from: browser.legId, to: legId })
      .catch((e: unknown) =>
        this.#d.logger.warn('agent channel not moved', { callId: call.info.id, error: String(e) }),
      );
    const leg = { legId, port, userId: browser.userId };
    call.info.agentLeg = leg;
    await this.#d.worker.request({ op: 'close', legId: browser.legId }).catch(() => undefined);
    return leg;
  }

  /** A browser answering a call parked by a queue transfer: its leg takes the agent channel over. */
  async adoptParked(parked: { legId: string; port: number }, legId: string): Promise<boolean> {
    const moved = await this.#d.worker
      .request({ op: 'recordMove', from: parked.legId, to: legId })
      .then(() => true)
      .catch(() => false);
    await this.#d.worker.request({ op: 'close', legId: parked.legId }).catch(() => undefined);
    return moved;
  }

  async #requeue(
    call: Call,
    agent: { legId: string; port: number; userId: string },
    queue: string,
  ): Promise<void> {
    delete call.info.agentLeg;
    call.agent = undefined;
    this.park(call, { legId: agent.legId, port: agent.port });
    call.info.state = 'queued';
    call.info.queue = queue;
    await this.#d.bus.publish('call.queued', {
      callId: call.info.id,
      contactId: call.info.contactId ?? '',
      channel: 'voice',
      queue,
      priority: 0,
      attributes: { ...call.info.attributes, transferredFrom: agent.userId },
    });
  }

  async #releaseAgent(call: Call): Promise<void> {
    const agent = call.info.agentLeg;
    if (!agent) return;
    await this.#hold.start(call);
    await this.#d.worker.request({ op: 'unbridge', legId: agent.legId }).catch(() => undefined);
    if (call.agent) {
      const d = call.agent.dialog;
      call.agent = undefined;
      await this.#sip.bye(d);
    }
  }
}
