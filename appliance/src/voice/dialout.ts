import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { Logger } from '../logging/index.ts';
import type { VoiceService } from './calls.ts';
import type { DialQuota } from './dial-quota.ts';
import { VoiceError } from './errors.ts';
import { mask } from './mask.ts';
import type { LegSrtp } from './media/protocol.ts';
import type { MediaWorker } from './media/supervisor.ts';
import { Ringback } from './ringback.ts';
import { contactFor, type Dialog, inDialogRequest, newTag } from './sip/dialog.ts';
import { addrUri, header, param, type SipRequest, type SipResponse } from './sip/message.ts';
import type { SipAccounts } from './sip/registrar.ts';
import { buildAudioSdp, parseAudioSdp } from './sip/sdp.ts';
import type { Peer, SipTransport } from './sip/transport.ts';
import type { OutboundTrunkDoc, OutboundTrunks } from './sip/trunks.ts';
import { newCallId, requestWithAuth } from './sip/uac.ts';
import {
  acceptAnswer,
  type LocalCrypto,
  makeOffer,
  noteSrtpRefusal,
  type SdesContext,
  sdesContext,
} from './srtp-policy.ts';
import type { CallInfo } from './types.ts';

export type DialoutRefusal =
  | 'invalid_number'
  | 'prefix_not_allowed'
  | 'over_concurrent_limit'
  | 'over_daily_limit'
  | 'no_agent_phone';

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'call.dialout_refused': { userId: string; reason: DialoutRefusal; target: string };
    'call.dialout_started': { callId: string; userId: string; trunk: string; target: string };
    'sip.trunk_registration_changed': { trunk: string; registered: boolean; status?: number };
    'sip.trunk_saved': { trunk: string; host: string };
  }
}

export interface DialoutPolicy {
  allowedPrefixes: readonly string[];
  maxConcurrentPerUser: number;
  maxDailyPerUser: number;
}

export interface DialoutDeps {
  transport: SipTransport;
  accounts: SipAccounts;
  trunks: OutboundTrunks;
  worker: MediaWorker;
  service: VoiceService;
  bus: EventBus;
  logger: Logger;
  bind: string;
  policy: DialoutPolicy;
  quota: DialQuota;
  /** Noise suppression on the customer's (carrier) leg. */
  denoise?: boolean;
  /** SDES settings (BRANCHLINE_SIP_SDES_OVER_PLAIN, BRANCHLINE_SRTP_ALARM_THRESHOLD). */
  options?: { sdesOverPlain?: boolean; srtpAlarmThreshold?: number };
}

const NUMBER = /^\+?\d{3,20}$/;

/**
 * Agent dialling and callbacks under the toll-fraud policy: allowed prefixes,
 * per-user concurrent and daily limits, every refusal audited as
 * `call.dialout_refused`. The agent's registered SIP phone is rung first; only
 * when they answer is the carrier dialled (with digest auth on 401/407), so no
 * carrier minutes are spent on an absent agent.
 */
export class Dialout {
  #d: DialoutDeps;
  #pending = new Map<string, number>();

  constructor(deps: DialoutDeps) {
    this.#d = deps;
  }

  /**
   * Dials `number` for `userId`. With `browserLeg` (an open console softphone
   * leg) the agent is already on the line, so no desk phone is rung; the
   * browser hears the ringback and is bridged when the carrier answers.
   */
  async dial(
    userId: string,
    number: string,
    options: { trunk?: string; browserLeg?: string } = {},
  ): Promise<CallInfo> {
    await this.#check(userId, number);
    const trunk = await this.#trunk(options.trunk);
    const accounts = await this.#d.accounts.list();
    const binding = options.browserLeg ? undefined : this.#d.accounts.bindingForUser(userId, accounts);
    if (!binding && !options.browserLeg) return this.#refuse(userId, number, 'no_agent_phone');
    const agentPeer: Peer | undefined = binding && {
      host: binding.host,
      port: binding.port,
      ...(binding.transport !== 'udp' ? { transport: binding.transport } : {}),
    };
    const peer: Peer = {
      host: trunk.host,
      port: trunk.port,
      ...(trunk.transport !== 'udp' ? { transport: trunk.transport } : {}),
    };
    // SRTP per the phone's and the trunk's policy, decided before anything rings.
    const agentSdes =
      binding && agentPeer
        ? sdesContext(this.#d, accounts.find((a) => a.username === binding.username)?.srtp, agentPeer)
        : undefined;
    const carrierSdes = sdesContext(this.#d, trunk.srtp, peer);
    const agentOffer = agentSdes ? makeOffer(agentSdes) : undefined;
    const carrierOffer = makeOffer(carrierSdes);
    for (const [o, who] of [
      [agentOffer, { peer: agentPeer ?? peer, target: binding?.username ?? '' }],
      [carrierOffer, { peer, target: number }],
    ] as const)
      if (o && !o.ok) {
        noteSrtpRefusal(this.#d, o.code, who);
        throw new VoiceError('VOICE_DIALOUT_FAILED', `SRTP policy refused the call: ${o.code}`, {
          reason: o.code,
        });
      }
    this.#pending.set(userId, (this.#pending.get(userId) ?? 0) + 1);
    const id = randomUUID();
    const legs = { agent: options.browserLeg ?? `${id}:agent`, customer: `${id}:customer` };
    const opened: string[] = [];
    let agentDialog: Dialog | undefined;
    let carrierDialog: Dialog | undefined;
    try {
      if (!(await this.#d.quota.take(userId, this.#d.policy.maxDailyPerUser)))
        return await this.#refuse(userId, number, 'over_daily_limit');
      const open = async (legId: string, srtp: LegSrtp | undefined) => {
        const port = await this.#d.worker.openRtp(legId, this.#d.bind, {
          denoise: legId === legs.customer && this.#d.denoise === true,
          ...(srtp ? { srtp } : {}),
        });
        opened.push(legId);
        return port;
      };
      // A browser leg is the console's own: it is neither opened nor closed here.
      const agentPort = binding ? await open(legs.agent, agentOffer?.ok ? agentOffer.srtp : undefined) : 0;
      const customerPort = await open(legs.customer, carrierOffer.ok ? carrierOffer.srtp : undefined);
      if (binding && agentPeer) {
        agentDialog = this.#dialog(binding.contact, binding.contact, agentPeer, `sip:${number}@branchline`);
        const agentRes = await this.#invite(agentDialog, agentPort, legs.agent, {
          ...(agentSdes && agentOffer?.ok ? { sdes: { ctx: agentSdes, local: agentOffer.local } } : {}),
        });
        if (!agentRes)
          throw new VoiceError('VOICE_TARGET_UNAVAILABLE', 'The agent did not answer their phone');
      }
      const target = `sip:${number}@${trunk.host}${trunk.port === 5060 ? '' : `:${trunk.port}`}`;
      const carrier = this.#dialog(target, target, peer, `sip:${trunk.username}@${trunk.host}`);
      const ringing = new Ringback(this.#d.worker, legs);
      carrierDialog = carrier;
      const carrierRes = await this.#invite(carrier, customerPort, legs.customer, {
        auth: trunk,
        onProvisional: (r) => ringing.progress(r),
        ...(carrierOffer.ok ? { sdes: { ctx: carrierSdes, local: carrierOffer.local } } : {}),
      }).finally(() => ringing.settle());
      if (!carrierRes) throw new VoiceError('VOICE_DIALOUT_FAILED', 'The carrier did not connect the call');
      await this.#d.worker.request({ op: 'bridge', a: legs.customer, b: legs.agent });
      const info = await this.#d.service.adoptOutbound({
        id,
        customer: { dialog: carrier, legId: legs.customer, port: customerPort },
        agent: {
          ...(agentDialog ? { dialog: agentDialog } : {}),
          legId: legs.agent,
          port: agentPort,
          userId,
        },
        trunk: trunk.name,
        attributes: { dialled: mask(number) },
      });
      await this.#d.bus.publish('call.dialout_started', {
        callId: id,
        userId,
        trunk: trunk.name,
        target: mask(number),
      });
      return info;
    } catch (e) {
      if (agentDialog?.remoteTag) this.#bye(agentDialog);
      // Answered, then failed locally (the browser went away while it rang): release the customer too.
      if (carrierDialog?.remoteTag) this.#bye(carrierDialog);
      for (const legId of opened) await this.#d.worker.request({ op: 'close', legId }).catch(() => undefined);
      throw e;
    } finally {
      this.#pending.set(userId, (this.#pending.get(userId) ?? 1) - 1);
    }
  }

  async #check(userId: string, number: string): Promise<void> {
    if (!NUMBER.test(number)) return this.#refuse(userId, number, 'invalid_number');
    if (!this.#d.policy.allowedPrefixes.some((p) => number.startsWith(p)))
      return this.#refuse(userId, number, 'prefix_not_allowed');
    const live = this.#d.service
      .list()
      .filter((c) => c.attributes['direction'] === 'outbound' && c.agentLeg?.userId === userId).length;
    if (live + (this.#pending.get(userId) ?? 0) >= this.#d.policy.maxConcurrentPerUser)
      return this.#refuse(userId, number, 'over_concurrent_limit');
    if ((await this.#d.quota.used(userId)) >= this.#d.policy.maxDailyPerUser)
      return this.#refuse(userId, number, 'over_daily_limit');
  }

  async #refuse(userId: string, number: string, reason: DialoutRefusal): Promise<never> {
    await this.#d.bus.publish(
      'call.dialout_refused',
      { userId, reason, target: mask(number) },
      { actor: userId },
    );
    throw new VoiceError('VOICE_DIALOUT_REFUSED', `Dial-out refused: ${reason}`, { reason });
  }

  async #trunk(name: string | undefined): Promise<OutboundTrunkDoc> {
    const t = name ? await this.#d.trunks.get(name) : (await this.#d.trunks.list())[0];
    if (!t)
      throw new VoiceError('VOICE_DIALOUT_FAILED', 'No outbound trunk is configured', { reason: 'no_trunk' });
    return t;
  }

  #dialog(remoteUri: string, target: string, peer: Peer, localUri: string): Dialog {
    return {
      callId: newCallId(),
      localUri,
      localTag: newTag(),
      remoteUri,
      remoteTag: undefined,
      remoteTarget: target,
      peer,
      cseq: 1,
      contact: contactFor(this.#d.transport, peer, 'branchline'),
    };
  }

  /** INVITE with our leg's SDP; on 2xx: ACK, point the leg at the answer. Undefined on failure. */
  async #invite(
    d: Dialog,
    port: number,
    legId: string,
    options: {
      auth?: OutboundTrunkDoc;
      onProvisional?: (r: SipResponse) => void;
      sdes?: { ctx: SdesContext; local: LocalCrypto | undefined };
    } = {},
  ): Promise<SipResponse | undefined> {
    const { auth, onProvisional, sdes } = options;
    const sdp = buildAudioSdp({
      host: this.#d.bind,
      port,
      codec: 'pcmu',
      dtmfPayloadType: 101,
      sessionId: Date.now(),
      ...(sdes?.local ? { crypto: sdes.local } : {}),
    });
    const invite: SipRequest = inDialogRequest(d, 'INVITE', {
      cseq: 1,
      contentType: 'application/sdp',
      body: Buffer.from(sdp),
    });
    if (!invite.headers.has('contact'))
      invite.headers.set('contact', [contactFor(this.#d.transport, d.peer, 'branchline')]);
    const res = auth
      ? await requestWithAuth(this.#d.transport, invite, d.peer, {
          username: auth.username,
          password: auth.password,
          ...(onProvisional ? { onProvisional } : {}),
        })
      : await this.#d.transport.request(invite, d.peer, onProvisional ? { onProvisional } : {});
    if (res.status < 200 || res.status >= 300) return undefined;
    d.remoteTag = param(header(res, 'to'), 'tag');
    d.remoteTarget = addrUri(header(res, 'contact')) ?? d.remoteTarget;
    const cseq = Number(/^(\d+)/.exec(header(res, 'cseq') ?? '1')?.[1] ?? 1);
    d.cseq = cseq;
    const ack = inDialogRequest(d, 'ACK', { cseq });
    ack.headers.set('via', [this.#d.transport.via(d.peer, this.#d.transport.newBranch())]);
    this.#d.transport.send(ack, d.peer);
    const answer = parseAudioSdp(res.body.toString('latin1'));
    const keyed = answer && sdes ? acceptAnswer(answer, sdes.local, sdes.ctx) : undefined;
    if ((sdes?.local && !answer) || (keyed && !keyed.ok)) {
      // Plain RTP answered to our SRTP offer where SRTP is required: hang up, never send in clear.
      noteSrtpRefusal(this.#d, keyed && !keyed.ok ? keyed.code : 'VOICE_SRTP_REQUIRED', {
        peer: d.peer,
        target: d.remoteUri,
      });
      this.#bye(d);
      d.remoteTag = undefined;
      return undefined;
    }
    if (answer)
      await this.#d.worker.request({
        op: 'update',
        legId,
        remote: answer.remote,
        codec: answer.codec,
        dtmfPayloadType: answer.dtmfPayloadType,
        ...(keyed?.ok ? { srtp: keyed.srtp } : {}),
      });
    return res;
  }

  #bye(d: Dialog): void {
    void this.#d.transport.request(inDialogRequest(d, 'BYE'), d.peer).catch(() => undefined);
  }
}
