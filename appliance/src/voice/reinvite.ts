import type { Call } from './call-types.ts';
import { contactFor } from './sip/dialog.ts';
import { header, makeResponse, type SipRequest } from './sip/message.ts';
import { buildAudioSdp, parseAudioSdp, type SdpDirection } from './sip/sdp.ts';
import type { Peer } from './sip/transport.ts';
import { answerReoffer, sdesContext, srtpWarning } from './srtp-policy.ts';
import type { TransferState } from './transfer-state.ts';
import type { CallControlDeps } from './transfer-types.ts';

const MIRROR: Record<SdpDirection, SdpDirection> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/** Hold and resume as a re-INVITE asks for them (CallControl's own). */
export interface HoldControl {
  hold(callId: string, by: 'agent' | 'customer'): Promise<void>;
  resume(callId: string, by: 'agent' | 'customer'): Promise<void>;
}

/** A re-INVITE on either dialog: follow a moved endpoint, answer the hold direction, hold/resume. */
export async function answerReinvite(
  call: Call,
  o: { req: SipRequest; from: Peer; deps: CallControlDeps; state: TransferState; control: HoldControl },
): Promise<void> {
  const { req, from, deps } = o;
  const sipId = header(req, 'call-id');
  const isCustomer = sipId === call.dialog.callId;
  const leg = isCustomer ? call.info.customerLeg : call.info.agentLeg;
  const offer = parseAudioSdp(req.body.toString('latin1'));
  const x = o.state.of(call);
  const res = makeResponse(req, 200, 'OK');
  res.headers.set('contact', [contactFor(deps.transport, from, 'ivr')]);
  const mine = isCustomer ? call.srtp?.customer : call.srtp?.agent;
  const rekey = offer && mine ? answerReoffer(offer, mine, sdesContext(deps, 'required', from)) : undefined;
  if (rekey && !rekey.ok) {
    // An SRTP leg stays SRTP: a re-offer without a usable key is refused, the call goes on as it was.
    const refused = makeResponse(req, 488, 'Not Acceptable Here');
    refused.headers.set('warning', [srtpWarning(rekey.code)]);
    deps.transport.send(refused, from);
    return;
  }
  if (rekey?.ok && mine) call.srtp = { ...call.srtp, [isCustomer ? 'customer' : 'agent']: rekey.local };
  if (offer && leg) {
    const direction = offer.direction ?? 'sendrecv';
    res.headers.set('content-type', ['application/sdp']);
    res.body = Buffer.from(
      buildAudioSdp({
        host: deps.bind,
        port: leg.port,
        codec: offer.codec,
        dtmfPayloadType: offer.dtmfPayloadType,
        sessionId: Date.parse(call.info.startedAt),
        version: ++x.sdpVersion,
        direction: MIRROR[direction],
        ...(rekey?.ok ? { crypto: rekey.local } : {}),
      }),
    );
    if (offer.remote.host !== '0.0.0.0')
      await deps.worker
        .request({
          op: 'update',
          legId: leg.legId,
          remote: offer.remote,
          codec: offer.codec,
          ...(rekey?.ok && rekey.srtp ? { srtp: rekey.srtp } : {}),
        })
        .catch(() => undefined);
  }
  // Apply hold/resume before answering, so the 200 OK reports a state that is already true.
  if (offer && call.info.state === 'bridged') {
    const holding = offer.direction === 'sendonly' || offer.direction === 'inactive';
    const by = isCustomer ? 'customer' : 'agent';
    try {
      if (holding && !call.info.held) await o.control.hold(call.info.id, by);
      else if (!holding && call.info.held === by) await o.control.resume(call.info.id, by);
    } finally {
      deps.transport.send(res, from);
    }
    return;
  }
  deps.transport.send(res, from);
}
