import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { Logger } from '../logging/index.ts';
import type { Call } from './calls.ts';
import { VoiceError } from './errors.ts';
import type { MediaWorker } from './media/supervisor.ts';
import { type Dialog, inDialogRequest, newTag } from './sip/dialog.ts';
import { addrUri, header, makeResponse, param, type SipRequest } from './sip/message.ts';
import type { Binding, SipAccounts } from './sip/registrar.ts';
import { buildAudioSdp, parseAudioSdp, type SdpDirection } from './sip/sdp.ts';
import type { Peer, SipTransport } from './sip/transport.ts';
import { holdTonePath } from './tones.ts';
import type { TransferTarget } from './types.ts';

export interface CallRegistry {
  get(callId: string): Call | undefined;
  indexSip(sipId: string, call: Call): void;
  unindexSip(sipId: string): void;
  indexLeg(legId: string, call: Call): void;
}

export interface CallControlDeps {
  transport: SipTransport;
  worker: MediaWorker;
  accounts: SipAccounts;
  bus: EventBus;
  logger: Logger;
  bind: string;
  registry: CallRegistry;
}

interface Consult {
  target: TransferTarget;
  dialog: Dialog;
  legId: string;
  port: number;
  fromUserId: string | undefined;
}

interface Extra {
  consult: Consult | undefined;
  /** The agent leg after a transfer to a queue: kept open (and recording) for the next agent. */
  parked: { legId: string; port: number } | undefined;
  holdPlay: string | undefined;
  sdpVersion: number;
  /** The consult became a three-way conference: customer, agent and target share one mix. */
  conference: boolean;
}

const MIRROR: Record<SdpDirection, SdpDirection> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/**
 * Transfer (blind, attended) and hold for live calls. The agent's media-worker leg outlives the
 * agent: a transfer re-points it at the new phone, so its recording (the agent channel) runs on.
 */
export class CallControl {
  #d: CallControlDeps;
  #extra = new WeakMap<Call, Extra>();

  constructor(deps: CallControlDeps) {
    this.#d = deps;
  }

  #x(call: Call): Extra {
    let x = this.#extra.get(call);
    if (!x) {
      x = { sdpVersion: 1, consult: undefined, parked: undefined, holdPlay: undefined, conference: false };
      this.#extra.set(call, x);
    }
    return x;
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
    return b;
  }

  async transfer(
    callId: string,
    mode: 'blind' | 'attended',
    to: TransferTarget,
    actor: { userId?: string } = {},
  ): Promise<void> {
    const call = this.#live(callId);
    const x = this.#x(call);
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
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'completed' }, this.#meta(actor));
      await this.#requeue(call, agent, to.queue);
      return;
    }
    if (!binding) return;
    if (mode === 'blind') {
      await this.#releaseAgent(call);
      const dialog = await this.#ring(call, binding, { legId: agent.legId, port: agent.port });
      if (!dialog || ended(call)) {
        await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'failed' }, this.#meta(actor));
        // The first agent is gone already: the customer goes back to their queue rather than waiting on hold.
        if (!ended(call)) await this.#requeue(call, agent, call.info.queue ?? 'default');
        throw new VoiceError(
          'VOICE_TARGET_UNAVAILABLE',
          'The transfer target did not answer; the call was requeued',
        );
      }
      call.agent = { dialog, legId: agent.legId };
      call.info.agentLeg = { ...agent, userId: 'userId' in to ? to.userId : (binding.username ?? '') };
      await this.#stopHold(call);
      await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: agent.legId });
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'completed' }, this.#meta(actor));
      return;
    }
    // Attended: the customer waits on the hold tone while the agent talks to the target on a new leg.
    await this.#startHold(call);
    const legId = `${callId}:consult:${randomUUID().slice(0, 8)}`;
    const port = await this.#d.worker.openRtp(legId, this.#d.bind);
    this.#d.registry.indexLeg(legId, call);
    call.info.consulting = to;
    const dialog = await this.#ring(call, binding, { legId, port });
    if (!dialog || ended(call)) {
      delete call.info.consulting;
      await this.#d.worker.request({ op: 'close', legId }).catch(() => undefined);
      if (!ended(call)) await this.resume(callId, 'agent');
      await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'failed' }, this.#meta(actor));
      throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'The transfer target did not answer');
    }
    x.consult = { target: to, dialog, legId, port, fromUserId: agent.userId };
    await this.#d.worker.request({ op: 'bridge', a: agent.legId, b: legId });
    await this.#d.bus.publish('call.transferred', { ...base, mode, stage: 'started' }, this.#meta(actor));
  }

  /** Attended transfer: the target takes the customer; the consulting agent is released. */
  async complete(callId: string, actor: { userId?: string } = {}): Promise<void> {
    const call = this.#live(callId);
    const x = this.#x(call);
    const c = x.consult;
    const agent = call.info.agentLeg;
    if (!c || !agent) throw new VoiceError('VOICE_CALL_STATE', 'No attended transfer in progress');
    x.consult = undefined;
    delete call.info.consulting;
    // Re-point the target's phone at the agent leg (re-INVITE) so the agent channel keeps recording;
    // a browser's leg cannot carry a phone, so then the consult leg takes over the recording instead.
    const moved = isBrowserLeg(agent) ? undefined : await this.#reinviteTo(c.dialog, agent.port);
    await this.#endConference(call);
    await this.#d.worker.request({ op: 'unbridge', legId: agent.legId });
    const oldAgent = call.agent;
    if (moved) {
      await this.#d.worker.request({ op: 'update', legId: agent.legId, remote: moved });
      await this.#d.worker.request({ op: 'close', legId: c.legId }).catch(() => undefined);
    } else
      await this.#d.worker
        .request({ op: 'recordMove', from: agent.legId, to: c.legId })
        .catch((e: unknown) => this.#d.logger.warn('agent channel not moved', { callId, error: String(e) }));
    if (oldAgent) await this.#bye(oldAgent.dialog);
    const legId = moved ? agent.legId : c.legId;
    call.agent = { dialog: c.dialog, legId };
    call.info.agentLeg = {
      legId,
      port: moved ? agent.port : c.port,
      userId: 'userId' in c.target ? c.target.userId : 'extension' in c.target ? c.target.extension : '',
    };
    if (!moved) await this.#d.worker.request({ op: 'close', legId: agent.legId }).catch(() => undefined);
    await this.#stopHold(call);
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
      this.#meta(actor),
    );
  }

  /** Attended transfer abandoned: the target is hung up and the customer is back with the agent. */
  async cancel(callId: string, actor: { userId?: string } = {}): Promise<void> {
    const call = this.#live(callId);
    const x = this.#x(call);
    const c = x.consult;
    if (!c) throw new VoiceError('VOICE_CALL_STATE', 'No attended transfer in progress');
    await this.#dropConsult(call, c, true);
    await this.resume(callId, 'agent');
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
      this.#meta(actor),
    );
  }

  /**
   * Attended transfer turned three-way: the customer, the agent and the consulted
   * target all hear each other. The agent then leaves (complete) or drops the target (cancel).
   */
  async conference(callId: string, actor: { userId?: string } = {}): Promise<void> {
    const call = this.#live(callId);
    const x = this.#x(call);
    const c = x.consult;
    const agent = call.info.agentLeg;
    if (!c || !agent)
      throw new VoiceError('VOICE_CALL_STATE', 'Consult someone before starting a conference');
    if (x.conference) return;
    await this.#stopHold(call);
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
      this.#meta(actor),
    );
  }

  async hold(callId: string, by: 'agent' | 'customer' = 'agent'): Promise<void> {
    const call = this.#live(callId);
    if (this.#x(call).conference)
      throw new VoiceError('VOICE_CALL_STATE', 'A conference cannot be held; leave it or drop the target');
    if (call.info.state !== 'bridged')
      throw new VoiceError('VOICE_CALL_STATE', 'Only a bridged call can be held');
    if (call.info.held) return;
    call.info.held = by;
    if (by === 'agent') await this.#startHold(call);
    await this.#d.bus.publish('call.held', { callId, contactId: call.info.contactId ?? '', by });
  }

  async resume(callId: string, by: 'agent' | 'customer' = 'agent'): Promise<void> {
    const call = this.#live(callId);
    if (this.#x(call).consult)
      throw new VoiceError('VOICE_CALL_STATE', 'Complete or cancel the transfer first');
    const wasHeld = call.info.held;
    await this.#stopHold(call);
    const agent = call.info.agentLeg;
    if (agent && call.info.state === 'bridged')
      await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: agent.legId });
    if (!wasHeld) return;
    delete call.info.held;
    await this.#d.bus.publish('call.resumed', { callId, contactId: call.info.contactId ?? '', by });
  }

  /** A re-INVITE on either dialog: follow a moved endpoint, answer the hold direction, hold/resume. */
  async onReinvite(call: Call, req: SipRequest, from: Peer): Promise<void> {
    const sipId = header(req, 'call-id');
    const isCustomer = sipId === call.dialog.callId;
    const leg = isCustomer ? call.info.customerLeg : call.info.agentLeg;
    const offer = parseAudioSdp(req.body.toString('latin1'));
    const x = this.#x(call);
    const res = makeResponse(req, 200, 'OK');
    const local = this.#d.transport.local;
    res.headers.set('contact', [`<sip:ivr@${local.host}:${local.port}>`]);
    if (offer && leg) {
      const direction = offer.direction ?? 'sendrecv';
      res.headers.set('content-type', ['application/sdp']);
      res.body = Buffer.from(
        buildAudioSdp({
          host: this.#d.bind,
          port: leg.port,
          codec: offer.codec,
          dtmfPayloadType: offer.dtmfPayloadType,
          sessionId: Date.parse(call.info.startedAt),
          version: ++x.sdpVersion,
          direction: MIRROR[direction],
        }),
      );
      if (offer.remote.host !== '0.0.0.0')
        await this.#d.worker
          .request({ op: 'update', legId: leg.legId, remote: offer.remote, codec: offer.codec })
          .catch(() => undefined);
    }
    // Apply hold/resume before answering, so the 200 OK reports a state that is already true.
    if (offer && call.info.state === 'bridged') {
      const holding = offer.direction === 'sendonly' || offer.direction === 'inactive';
      const by = isCustomer ? 'customer' : 'agent';
      try {
        if (holding && !call.info.held) await this.hold(call.info.id, by);
        else if (!holding && call.info.held === by) await this.resume(call.info.id, by);
      } finally {
        this.#d.transport.send(res, from);
      }
      return;
    }
    this.#d.transport.send(res, from);
  }

  /** BYE on a consult dialog ends the consultation only; returns true when it was one. */
  onBye(call: Call, sipId: string): boolean {
    const c = this.#x(call).consult;
    if (!c || c.dialog.callId !== sipId) return false;
    void this.#dropConsult(call, c, false)
      .then(() => this.resume(call.info.id, 'agent'))
      .catch(() => undefined);
    return true;
  }

  /** The hold tone is 30 s long: loop it while the call is still held. */
  onPlayed(call: Call, playId: string, completed: boolean): void {
    const x = this.#x(call);
    if (completed && x.holdPlay === playId && !ended(call)) void this.#playHold(call);
  }

  /** The agent leg parked by a queue transfer, handed to the next agent's connection. */
  takeParked(call: Call): { legId: string; port: number } | undefined {
    const x = this.#x(call);
    const p = x.parked;
    x.parked = undefined;
    if (p) void this.#stopHold(call);
    return p;
  }

  park(call: Call, leg: { legId: string; port: number }): void {
    this.#x(call).parked = leg;
  }

  /** Hangup: the consult leg and a parked agent leg go too (the agent channel is finished properly). */
  async onHangup(call: Call): Promise<Partial<Record<'agent', number>>> {
    const x = this.#x(call);
    x.holdPlay = undefined;
    if (x.consult) await this.#dropConsult(call, x.consult, true);
    const p = x.parked;
    if (!p) return {};
    x.parked = undefined;
    const r = await this.#d.worker
      .request<{ chunks: number }>({ op: 'recordStop', legId: p.legId })
      .catch(() => undefined);
    await this.#d.worker.request({ op: 'close', legId: p.legId }).catch(() => undefined);
    return r ? { agent: r.chunks } : {};
  }

  async #dropConsult(call: Call, c: Consult, sendBye: boolean): Promise<void> {
    this.#x(call).consult = undefined;
    delete call.info.consulting;
    await this.#endConference(call);
    if (sendBye) await this.#bye(c.dialog);
    this.#d.registry.unindexSip(c.dialog.callId);
    await this.#d.worker.request({ op: 'close', legId: c.legId }).catch(() => undefined);
  }

  async #endConference(call: Call): Promise<void> {
    const x = this.#x(call);
    if (!x.conference) return;
    x.conference = false;
    delete call.info.conference;
    await this.#d.worker.request({ op: 'unmix', legId: call.info.customerLeg.legId }).catch(() => undefined);
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
    await this.#startHold(call);
    await this.#d.worker.request({ op: 'unbridge', legId: agent.legId }).catch(() => undefined);
    if (call.agent) {
      const d = call.agent.dialog;
      call.agent = undefined;
      await this.#bye(d);
    }
  }

  async #bye(d: Dialog): Promise<void> {
    this.#d.registry.unindexSip(d.callId);
    if (d.remoteTag === undefined) return;
    const local = this.#d.transport.local;
    const bye = inDialogRequest(d, 'BYE');
    bye.headers.set('contact', [`<sip:ivr@${local.host}:${local.port}>`]);
    await Promise.race([
      this.#d.transport.request(bye, d.peer),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
  }

  async #startHold(call: Call): Promise<void> {
    const x = this.#x(call);
    await this.#d.worker
      .request({ op: 'unbridge', legId: call.info.customerLeg.legId })
      .catch(() => undefined);
    if (!x.holdPlay) await this.#playHold(call);
  }

  async #playHold(call: Call): Promise<void> {
    const x = this.#x(call);
    const playId = `hold-${randomUUID()}`;
    x.holdPlay = playId;
    await this.#d.worker
      .request({ op: 'play', legId: call.info.customerLeg.legId, playId, file: holdTonePath() })
      .catch(() => undefined);
  }

  async #stopHold(call: Call): Promise<void> {
    const x = this.#x(call);
    if (!x.holdPlay) return;
    x.holdPlay = undefined;
    await this.#d.worker
      .request({ op: 'stopPlay', legId: call.info.customerLeg.legId })
      .catch(() => undefined);
  }

  /** INVITEs a phone offering `leg`; on answer points the leg at it and returns the dialog. */
  async #ring(call: Call, b: Binding, leg: { legId: string; port: number }): Promise<Dialog | undefined> {
    const local = this.#d.transport.local;
    const dialog: Dialog = {
      callId: `${randomUUID()}@branchline`,
      localUri: `sip:ivr@${local.host}:${local.port}`,
      localTag: newTag(),
      remoteUri: b.contact,
      remoteTag: undefined,
      remoteTarget: b.contact,
      peer: { host: b.host, port: b.port },
      cseq: 1,
    };
    this.#d.registry.indexSip(dialog.callId, call);
    const remote = await this.#invite(dialog, leg.port, 1);
    if (!remote) {
      this.#d.registry.unindexSip(dialog.callId);
      return undefined;
    }
    await this.#d.worker.request({ op: 'update', legId: leg.legId, remote });
    return dialog;
  }

  async #reinviteTo(d: Dialog, port: number): Promise<{ host: string; port: number } | undefined> {
    return this.#invite(d, port, ++d.cseq);
  }

  async #invite(d: Dialog, port: number, cseq: number): Promise<{ host: string; port: number } | undefined> {
    const local = this.#d.transport.local;
    const invite = inDialogRequest(d, 'INVITE', {
      cseq,
      contentType: 'application/sdp',
      body: Buffer.from(
        buildAudioSdp({
          host: this.#d.bind,
          port,
          codec: 'pcmu',
          dtmfPayloadType: 101,
          sessionId: Date.now(),
          version: cseq,
        }),
      ),
    });
    invite.headers.set('contact', [`<sip:ivr@${local.host}:${local.port}>`]);
    const res = await this.#d.transport.request(invite, d.peer);
    if (res.status < 200 || res.status >= 300) return undefined;
    d.remoteTag = param(header(res, 'to'), 'tag');
    d.remoteTarget = addrUri(header(res, 'contact')) ?? d.remoteTarget;
    const ack = inDialogRequest(d, 'ACK', { cseq });
    ack.headers.set('via', [
      `SIP/2.0/UDP ${local.host}:${local.port};branch=${this.#d.transport.newBranch()}`,
    ]);
    this.#d.transport.send(ack, d.peer);
    return parseAudioSdp(res.body.toString('latin1'))?.remote;
  }

  #meta(actor: { userId?: string }) {
    return actor.userId ? { actor: actor.userId } : {};
  }
}

/** The console softphone's leg: a WebRTC leg with no RTP port a phone could be pointed at. */
function isBrowserLeg(leg: { port: number }): boolean {
  return leg.port === 0;
}

/** State changes while awaiting: read it fresh (TS narrows `state` across awaits otherwise). */
function ended(call: Call): boolean {
  return (call.info.state as string) === 'ended';
}
