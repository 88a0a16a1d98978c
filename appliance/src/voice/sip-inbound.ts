import type { CallsContext } from './call-types.ts';
import { mask } from './mask.ts';
import { authenticate } from './sip/auth.ts';
import {
  addrUri,
  header,
  makeResponse,
  param,
  parseUri,
  type SipRequest,
  type SipResponse,
} from './sip/message.ts';
import { parseAudioSdp } from './sip/sdp.ts';
import type { Peer } from './sip/transport.ts';
import { answerOffer, noteSrtpRefusal, sdesContext, srtpWarning } from './srtp-policy.ts';
import { TrunkCalls } from './trunk-call.ts';

const OUTSIDE = /^\+?\d{5,}$/;

/** Sends a response to `req`; `extra` adds headers before it goes. */
export type Respond = (
  req: SipRequest,
  to: Peer,
  status: number,
  reason: string,
  extra?: (r: SipResponse) => void,
) => SipResponse;

/** The UAS side: every request the transport admits, REGISTER, the toll-fraud policy and in-dialog requests. */
export class SipInbound {
  #c: CallsContext;
  #trunk: TrunkCalls;

  constructor(c: CallsContext) {
    this.#c = c;
    this.#trunk = new TrunkCalls(c, (req, to, status, reason, extra) =>
      this.#respond(req, to, status, reason, extra),
    );
  }

  #respond(
    req: SipRequest,
    to: Peer,
    status: number,
    reason: string,
    extra?: (r: SipResponse) => void,
  ): SipResponse {
    const res = makeResponse(req, status, reason);
    extra?.(res);
    this.#c.d.transport.send(res, to);
    return res;
  }

  /** Entry for every parsed request the transport admits. */
  async handle(req: SipRequest, from: Peer): Promise<void> {
    const sipId = header(req, 'call-id') ?? '';
    switch (req.method) {
      case 'OPTIONS':
        this.#respond(req, from, 200, 'OK', (r) =>
          r.headers.set('allow', ['INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER']),
        );
        return;
      case 'REGISTER':
        return this.#register(req, from);
      case 'INVITE': {
        const existing = this.#c.table.bySip(sipId);
        if (existing) {
          if (param(header(req, 'to'), 'tag')) await this.#c.control.onReinvite(existing, req, from);
          else if (existing.lastResponse) this.#c.d.transport.send(existing.lastResponse, from);
          return;
        }
        return this.#invite(req, from);
      }
      case 'ACK': {
        const c = this.#c.table.bySip(sipId);
        if (c?.retransmit) {
          clearTimeout(c.retransmit);
          c.retransmit = undefined;
        }
        return;
      }
      case 'BYE': {
        const c = this.#c.table.bySip(sipId);
        this.#respond(req, from, c ? 200 : 481, c ? 'OK' : 'Call/Transaction Does Not Exist');
        if (c && this.#c.control.onBye(c, sipId)) return;
        // The agent hangs up while the consulted target is on the line: the target takes the call
        // (as on most PBXs), rather than the customer being cut off.
        if (c && c.agent?.dialog.callId === sipId && c.info.consulting) {
          c.agent = undefined;
          if (
            await this.#c.control.complete(c.info.id).then(
              () => true,
              () => false,
            )
          )
            return;
        }
        if (c)
          await this.#c.hangup(c.info.id, c.agent?.dialog.callId === sipId ? 'agent_bye' : 'caller_bye', {
            skip: sipId,
          });
        return;
      }
      case 'CANCEL': {
        const c = this.#c.table.bySip(sipId);
        this.#respond(req, from, c ? 200 : 481, c ? 'OK' : 'Call/Transaction Does Not Exist');
        if (c && c.info.state === 'ringing') {
          const inv = makeResponse(
            { ...req, method: 'INVITE' } as SipRequest,
            487,
            'Request Terminated',
            c.dialog.localTag,
          );
          const cseq = header(req, 'cseq')?.replace('CANCEL', 'INVITE');
          if (cseq) inv.headers.set('cseq', [cseq]);
          this.#c.d.transport.send(inv, from);
          await this.#c.hangup(c.info.id, 'cancelled', { skip: sipId });
        }
        return;
      }
      default:
        this.#respond(req, from, 501, 'Not Implemented');
    }
  }

  async #register(req: SipRequest, from: Peer): Promise<void> {
    const d = this.#c.d;
    const out = await authenticate(req, from.host, { ...d, proxy: false });
    if (!out.ok) {
      // A block is published by the guard's hook (VoiceStack), once.
      this.#respond(req, from, out.status, out.status === 401 ? 'Unauthorized' : 'Forbidden', (r) => {
        if (out.challenge) r.headers.set('www-authenticate', out.challenge);
      });
      return;
    }
    const contactH = header(req, 'contact');
    const expires = Math.min(3600, Number(param(contactH, 'expires') ?? header(req, 'expires') ?? 3600) || 0);
    const contact = addrUri(contactH);
    if (contact) {
      d.accounts.bind({
        username: out.account.username,
        contact,
        host: from.host,
        port: from.port,
        transport: from.transport ?? 'udp',
        expiresAt: Date.now() + expires * 1000,
      });
    }
    this.#respond(req, from, 200, 'OK', (r) => {
      if (contactH) r.headers.set('contact', [`<${contact}>;expires=${expires}`]);
    });
  }

  async #invite(req: SipRequest, from: Peer): Promise<void> {
    const d = this.#c.d;
    const target = parseUri(req.uri)?.user ?? '';
    const trusted = d.options.trustedTrunks.includes(from.host);
    if (!trusted) {
      // Toll-fraud policy: an untrusted source never reaches a trunk without digest auth.
      if (!header(req, 'proxy-authorization') && OUTSIDE.test(target)) {
        this.#respond(req, from, 403, 'Forbidden');
        void d.bus.publish('call.refused', {
          reason: 'unauthenticated_dial_out',
          target: mask(target),
        });
        return;
      }
      const out = await authenticate(req, from.host, { ...d, proxy: true });
      if (!out.ok) {
        this.#respond(
          req,
          from,
          out.status,
          out.status === 407 ? 'Proxy Authentication Required' : 'Forbidden',
          (r) => {
            if (out.challenge) r.headers.set('proxy-authenticate', out.challenge);
          },
        );
        return;
      }
      // A phone's media policy before anything else it asks: plain RTP from a required account is refused.
      const offer = req.body.length > 0 ? parseAudioSdp(req.body.toString('latin1')) : undefined;
      const sdes = offer ? answerOffer(offer, sdesContext(d, out.account.srtp, from)) : undefined;
      if (sdes && !sdes.ok) {
        noteSrtpRefusal(d, sdes.code, { peer: from, target });
        this.#respond(req, from, 488, 'Not Acceptable Here', (r) =>
          r.headers.set('warning', [srtpWarning(sdes.code)]),
        );
        return;
      }
      const allowed =
        out.account.allowOutbound && d.options.allowedPrefixes.some((p) => target.startsWith(p));
      if (!allowed) {
        this.#respond(req, from, 403, 'Forbidden');
        void d.bus.publish('call.refused', { reason: 'dial_out_not_allowed', target: mask(target) });
        return;
      }
      this.#respond(req, from, 503, 'No Outbound Trunk Configured');
      return;
    }
    await this.#trunk.answer(req, from);
  }
}
