import type { CallsContext } from './call-types.ts';
import { audioOfferInvite, type Dialog, dialogToPhone, inDialogRequest } from './sip/dialog.ts';
import { addrUri, header, param } from './sip/message.ts';
import { parseAudioSdp } from './sip/sdp.ts';
import { acceptAnswer, makeOffer, noteSrtpRefusal, sdesContext } from './srtp-policy.ts';

/** Puts an agent on a queued call: their desk phone is rung, or their open console leg is bridged. */
export class AgentConnector {
  #c: CallsContext;

  constructor(c: CallsContext) {
    this.#c = c;
  }

  /** Rings the agent's registered phone and bridges on answer (routing calls this on accept). */
  async connect(callId: string, userId: string): Promise<boolean> {
    const d = this.#c.d;
    const control = this.#c.control;
    const call = this.#c.table.get(callId);
    if (!call || (call.info.state !== 'queued' && call.info.state !== 'ivr')) return false;
    const accounts = await d.accounts.list();
    const binding = d.accounts.bindingForUser(userId, accounts);
    if (!binding) return false;
    const account = accounts.find((a) => a.username === binding.username);
    const peer = { host: binding.host, port: binding.port, transport: binding.transport };
    const sdes = sdesContext(d, account?.srtp, peer);
    const offer = makeOffer(sdes);
    if (!offer.ok) {
      // Never plain RTP (or keys in clear) toward an SRTP-required phone: it is not rung.
      noteSrtpRefusal(d, offer.code, { peer, target: binding.username });
      return false;
    }
    call.info.state = 'connecting';
    // After a transfer to a queue the agent leg (and its recording) waits parked for the next agent.
    const parked = control.takeParked(call);
    const legId = parked?.legId ?? `${callId}:agent`;
    const port =
      parked?.port ?? (await d.worker.openRtp(legId, d.bind, offer.srtp ? { srtp: offer.srtp } : {}));
    this.#c.table.indexLeg(legId, call);
    const dialog: Dialog = dialogToPhone('ivr', d.transport, binding);
    call.agent = { dialog, legId };
    this.#c.table.indexSip(dialog.callId, call);
    const invite = audioOfferInvite(dialog, {
      host: d.bind,
      port,
      ...(offer.local ? { crypto: offer.local } : {}),
    });
    const res = await d.transport.request(invite, dialog.peer);
    if (res.status < 200 || res.status >= 300 || (call.info.state as string) === 'ended') {
      if ((call.info.state as string) !== 'ended') call.info.state = 'queued';
      this.#c.table.unindexSip(dialog.callId);
      call.agent = undefined;
      if (parked) control.park(call, parked);
      else await d.worker.request({ op: 'close', legId }).catch(() => undefined);
      return false;
    }
    dialog.remoteTag = param(header(res, 'to'), 'tag');
    dialog.remoteTarget = addrUri(header(res, 'contact')) ?? dialog.remoteTarget;
    const ack = inDialogRequest(dialog, 'ACK', { cseq: 1 });
    ack.headers.set('via', [d.transport.via(dialog.peer, d.transport.newBranch())]);
    d.transport.send(ack, dialog.peer);
    const answer = parseAudioSdp(res.body.toString('latin1'));
    const keyed = answer ? acceptAnswer(answer, offer.local, sdes) : undefined;
    if ((offer.local && !answer) || (keyed && !keyed.ok)) {
      // The phone answered with plain RTP (or no SDP) to our SRTP offer: hang up on it, try no further.
      noteSrtpRefusal(d, keyed && !keyed.ok ? keyed.code : 'VOICE_SRTP_REQUIRED', {
        peer,
        target: binding.username,
      });
      void d.transport.request(inDialogRequest(dialog, 'BYE'), dialog.peer).catch(() => undefined);
      call.info.state = 'queued';
      this.#c.table.unindexSip(dialog.callId);
      call.agent = undefined;
      if (parked) control.park(call, parked);
      else await d.worker.request({ op: 'close', legId }).catch(() => undefined);
      return false;
    }
    if (answer)
      await d.worker.request({
        op: 'update',
        legId,
        remote: answer.remote,
        codec: answer.codec,
        dtmfPayloadType: answer.dtmfPayloadType,
        ...(keyed?.ok ? { srtp: keyed.srtp } : {}),
      });
    if (offer.local && keyed?.ok && keyed.srtp)
      call.srtp = { ...call.srtp, agent: { ...offer.local, remote: keyed.srtp.recv ?? offer.local.params } };
    // Bridged before the queue prompt is stopped: the stop wakes the queue loop, which must see
    // the call taken, or it starts the music again on top of the agent.
    call.info.agentLeg = { legId, port, userId };
    call.info.state = 'bridged';
    await d.worker.request({ op: 'stopPlay', legId: call.info.customerLeg.legId });
    await d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: legId });
    if (!parked) await this.#c.recording.start(call, 'agent', legId);
    if (call.pausedBy && !parked) await d.worker.request({ op: 'recordPause', legId });
    await d.bus.publish('call.connected', {
      callId,
      contactId: call.info.contactId ?? '',
      agentUserId: userId,
    });
    return true;
  }

  /** Bridges a queued call to an already-open agent leg (the console softphone) instead of ringing a SIP phone. */
  async attach(callId: string, userId: string, legId: string): Promise<boolean> {
    const d = this.#c.d;
    const call = this.#c.table.get(callId);
    if (call?.info.state !== 'queued') return false;
    this.#c.table.indexLeg(legId, call);
    call.info.agentLeg = { legId, port: 0, userId };
    call.info.state = 'bridged';
    await d.worker.request({ op: 'stopPlay', legId: call.info.customerLeg.legId });
    await d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: legId });
    // After a transfer to a queue the parked agent channel's recording moves onto this leg.
    const parked = this.#c.control.takeParked(call);
    if (parked) await this.#c.control.adoptParked(parked, legId);
    else await this.#c.recording.start(call, 'agent', legId);
    if (call.pausedBy) await d.worker.request({ op: 'recordPause', legId });
    await d.bus.publish('call.connected', {
      callId,
      contactId: call.info.contactId ?? '',
      agentUserId: userId,
    });
    return true;
  }
}
