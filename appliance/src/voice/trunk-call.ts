import { randomUUID } from 'node:crypto';
import type { Call, CallsContext } from './call-types.ts';
import { newCall } from './new-call.ts';
import { contactFor, newTag, uasDialog } from './sip/dialog.ts';
import { addrUri, header, makeResponse, parseUri, type SipRequest, type SipResponse } from './sip/message.ts';
import { buildAudioSdp, parseAudioSdp } from './sip/sdp.ts';
import type { Peer } from './sip/transport.ts';
import type { Respond } from './sip-inbound.ts';
import { answerOffer, noteSrtpRefusal, sdesContext, srtpWarning } from './srtp-policy.ts';
import type { CallInfo } from './types.ts';

/** A trusted trunk's INVITE: answered at once (media leg, 200 OK sent reliably), recorded, then the IVR. */
export class TrunkCalls {
  #c: CallsContext;
  #respond: Respond;

  constructor(c: CallsContext, respond: Respond) {
    this.#c = c;
    this.#respond = respond;
  }

  async answer(req: SipRequest, from: Peer): Promise<void> {
    const d = this.#c.d;
    this.#respond(req, from, 100, 'Trying');
    const offer = parseAudioSdp(req.body.toString('latin1'));
    if (!offer) {
      this.#respond(req, from, 488, 'Not Acceptable Here');
      return;
    }
    const sdes = answerOffer(offer, sdesContext(d, await d.options.trunkSrtp?.(from.host), from));
    if (!sdes.ok) {
      noteSrtpRefusal(d, sdes.code, { peer: from, target: parseUri(req.uri)?.user ?? '' });
      this.#respond(req, from, 488, 'Not Acceptable Here', (r) =>
        r.headers.set('warning', [srtpWarning(sdes.code)]),
      );
      return;
    }
    const id = randomUUID();
    const legId = `${id}:customer`;
    const { port } = await d.worker.request<{ port: number }>({
      op: 'open',
      legId,
      kind: 'rtp',
      codec: offer.codec,
      dtmfPayloadType: offer.dtmfPayloadType,
      remote: offer.remote,
      bind: d.bind,
      denoise: d.options.noiseSuppression === true,
      ...(sdes.srtp ? { srtp: sdes.srtp } : {}),
    });
    const tag = newTag();
    const dialog = uasDialog(req, from, tag, contactFor(d.transport, from, 'branchline'));
    const callerId = parseUri(addrUri(header(req, 'from')))?.user;
    const info: CallInfo = {
      id,
      state: 'ringing',
      attributes: {},
      customerLeg: { legId, port },
      startedAt: new Date().toISOString(),
    };
    const call = newCall(this.#c, { info, dialog });
    if (sdes.local) call.srtp = { customer: sdes.local };
    this.#c.table.add(call);
    this.#c.table.indexSip(dialog.callId, call);
    this.#c.table.indexLeg(legId, call);
    this.#respond(req, from, 180, 'Ringing', (r) => withTag(r, tag));
    const ok = makeResponse(req, 200, 'OK', tag);
    ok.headers.set('contact', [dialog.contact ?? contactFor(d.transport, from, 'branchline')]);
    ok.headers.set('content-type', ['application/sdp']);
    ok.body = Buffer.from(
      buildAudioSdp({
        host: d.bind,
        port,
        codec: offer.codec,
        dtmfPayloadType: offer.dtmfPayloadType,
        sessionId: Date.now(),
        ...(sdes.local ? { crypto: sdes.local } : {}),
      }),
    );
    call.lastResponse = ok;
    this.#sendReliably(call, ok, from);
    info.state = 'ivr';
    if (callerId && d.identifyCaller) {
      const customerId = await d.identifyCaller(callerId).catch(() => undefined);
      if (customerId) info.customerId = customerId;
    }
    await d.recordings.begin(id, call.startedMs);
    await this.#c.recording.start(call, 'customer', legId);
    await d.bus.publish('call.started', {
      callId: id,
      trunk: from.host,
      ...(info.customerId ? { customerId: info.customerId } : {}),
    });
    void this.#c.runIvr(call, callerId);
  }

  #sendReliably(call: Call, res: SipResponse, to: Peer): void {
    this.#c.d.transport.send(res, to);
    let delay = 500;
    let total = 0;
    const again = () => {
      total += delay;
      if (total > 32_000 || !this.#c.table.has(call.info.id)) return;
      this.#c.d.transport.send(res, to);
      delay = Math.min(delay * 2, 4000);
      call.retransmit = setTimeout(again, delay);
    };
    call.retransmit = setTimeout(again, delay);
  }
}

function withTag(r: SipResponse, tag: string): void {
  const to = r.headers.get('to')?.[0];
  if (to && !/;\s*tag=/i.test(to)) r.headers.set('to', [`${to};tag=${tag}`]);
}
