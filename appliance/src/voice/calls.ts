import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { AsrPort, FlowOutcome, RunOptions, TtsPort } from '../flows/index.ts';
import { runFlow } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import { CallMediaIO } from './call-io.ts';
import type { MediaEvent } from './media/protocol.ts';
import type { MediaWorker } from './media/supervisor.ts';
import { holdInQueue, type QueuePositionPort } from './queue-wait.ts';
import type { RecordingService } from './recording/service.ts';
import { authenticate } from './sip/auth.ts';
import { type Dialog, inDialogRequest, newTag, uasDialog } from './sip/dialog.ts';
import type { NonceIssuer } from './sip/digest.ts';
import type { SourceGuard } from './sip/guard.ts';
import {
  addrUri,
  header,
  makeResponse,
  param,
  parseUri,
  type SipRequest,
  type SipResponse,
} from './sip/message.ts';
import type { SipAccounts } from './sip/registrar.ts';
import { buildAudioSdp, parseAudioSdp } from './sip/sdp.ts';
import type { Peer, SipTransport } from './sip/transport.ts';
import { CallControl } from './transfer.ts';
import type { CallInfo, TransferTarget, VoiceOptions } from './types.ts';

export interface Call {
  info: CallInfo;
  dialog: Dialog;
  inviteKey: string;
  lastResponse: SipResponse | undefined;
  retransmit: NodeJS.Timeout | undefined;
  io: CallMediaIO;
  agent: { dialog: Dialog; legId: string } | undefined;
  startedMs: number;
  pausedBy: string | undefined;
  /** A browser (WebRTC) caller: there is no SIP dialog to send a BYE on. */
  sipless?: boolean;
}

const OUTSIDE = /^\+?\d{5,}$/;

export interface VoiceDeps {
  transport: SipTransport;
  accounts: SipAccounts;
  nonces: NonceIssuer;
  guard: SourceGuard;
  worker: MediaWorker;
  recordings: RecordingService;
  tts: TtsPort;
  asr: AsrPort;
  bus: EventBus;
  logger: Logger;
  options: VoiceOptions;
  bind: string;
  runOptions?: (call: CallInfo, callerId: string | undefined) => RunOptions;
  identifyCaller?: (phone: string) => Promise<string | undefined>;
  /** Opens the routable contact when the IVR enqueues the call (conversations); returns its ids. */
  openContact?: (
    call: CallInfo,
    callerId: string | undefined,
  ) => Promise<{ contactId: string; customerId: string }>;
  /** Routing's position/EWT of a queued contact, for the caller's announcements. */
  queuePosition?: QueuePositionPort;
}

/** The B2BUA: trunk calls in, IVR via flows, agent legs out, bridging and recording in the media worker. */
export class VoiceService {
  #d: VoiceDeps;
  #calls = new Map<string, Call>();
  #bySipId = new Map<string, Call>();
  #byLeg = new Map<string, Call>();
  #detach: () => void;
  #control: CallControl;

  constructor(deps: VoiceDeps) {
    this.#d = deps;
    this.#control = new CallControl({
      ...deps,
      registry: {
        get: (id) => this.#calls.get(id),
        indexSip: (sipId, call) => void this.#bySipId.set(sipId, call),
        unindexSip: (sipId) => void this.#bySipId.delete(sipId),
        indexLeg: (legId, call) => void this.#byLeg.set(legId, call),
      },
    });
    this.#detach = deps.worker.on((e) => this.#onMedia(e));
  }

  get accounts(): SipAccounts {
    return this.#d.accounts;
  }

  list(): CallInfo[] {
    return [...this.#calls.values()].map((c) => structuredClone(c.info));
  }

  /** The live call behind a contact (routing knows contacts, not calls). */
  byContact(contactId: string): CallInfo | undefined {
    for (const c of this.#calls.values()) if (c.info.contactId === contactId) return structuredClone(c.info);
    return undefined;
  }

  get(callId: string): CallInfo | undefined {
    const c = this.#calls.get(callId);
    return c ? structuredClone(c.info) : undefined;
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
    this.#d.transport.send(res, to);
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
        const existing = this.#bySipId.get(sipId);
        if (existing) {
          if (param(header(req, 'to'), 'tag')) await this.#control.onReinvite(existing, req, from);
          else if (existing.lastResponse) this.#d.transport.send(existing.lastResponse, from);
          return;
        }
        return this.#invite(req, from);
      }
      case 'ACK': {
        const c = this.#bySipId.get(sipId);
        if (c?.retransmit) {
          clearTimeout(c.retransmit);
          c.retransmit = undefined;
        }
        return;
      }
      case 'BYE': {
        const c = this.#bySipId.get(sipId);
        this.#respond(req, from, c ? 200 : 481, c ? 'OK' : 'Call/Transaction Does Not Exist');
        if (c && this.#control.onBye(c, sipId)) return;
        // The agent hangs up while the consulted target is on the line: the target takes the call
        // (as on most PBXs), rather than the customer being cut off.
        if (c && c.agent?.dialog.callId === sipId && c.info.consulting) {
          c.agent = undefined;
          if (
            await this.#control.complete(c.info.id).then(
              () => true,
              () => false,
            )
          )
            return;
        }
        if (c)
          await this.hangup(c.info.id, c.agent?.dialog.callId === sipId ? 'agent_bye' : 'caller_bye', {
            skip: sipId,
          });
        return;
      }
      case 'CANCEL': {
        const c = this.#bySipId.get(sipId);
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
          this.#d.transport.send(inv, from);
          await this.hangup(c.info.id, 'cancelled', { skip: sipId });
        }
        return;
      }
      default:
        this.#respond(req, from, 501, 'Not Implemented');
    }
  }

  async #register(req: SipRequest, from: Peer): Promise<void> {
    const out = await authenticate(req, from.host, { ...this.#d, proxy: false });
    if (!out.ok) {
      if (out.blocked)
        void this.#d.bus.publish('sip.source_blocked', { source: from.host, reason: 'register_brute_force' });
      this.#respond(req, from, out.status, out.status === 401 ? 'Unauthorized' : 'Forbidden', (r) => {
        if (out.challenge) r.headers.set('www-authenticate', out.challenge);
      });
      return;
    }
    const contactH = header(req, 'contact');
    const expires = Math.min(3600, Number(param(contactH, 'expires') ?? header(req, 'expires') ?? 3600) || 0);
    const contact = addrUri(contactH);
    if (contact) {
      this.#d.accounts.bind({
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
    const target = parseUri(req.uri)?.user ?? '';
    const trusted = this.#d.options.trustedTrunks.includes(from.host);
    if (!trusted) {
      // Toll-fraud policy: an untrusted source never reaches a trunk without digest auth.
      if (!header(req, 'proxy-authorization') && OUTSIDE.test(target)) {
        this.#respond(req, from, 403, 'Forbidden');
        void this.#d.bus.publish('call.refused', {
          reason: 'unauthenticated_dial_out',
          target: mask(target),
        });
        return;
      }
      const out = await authenticate(req, from.host, { ...this.#d, proxy: true });
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
      const allowed =
        out.account.allowOutbound && this.#d.options.allowedPrefixes.some((p) => target.startsWith(p));
      if (!allowed) {
        this.#respond(req, from, 403, 'Forbidden');
        void this.#d.bus.publish('call.refused', { reason: 'dial_out_not_allowed', target: mask(target) });
        return;
      }
      this.#respond(req, from, 503, 'No Outbound Trunk Configured');
      return;
    }
    await this.#inboundTrunkCall(req, from);
  }

  async #inboundTrunkCall(req: SipRequest, from: Peer): Promise<void> {
    this.#respond(req, from, 100, 'Trying');
    const offer = parseAudioSdp(req.body.toString('latin1'));
    if (!offer) {
      this.#respond(req, from, 488, 'Not Acceptable Here');
      return;
    }
    const id = randomUUID();
    const legId = `${id}:customer`;
    const { port } = await this.#d.worker.request<{ port: number }>({
      op: 'open',
      legId,
      kind: 'rtp',
      codec: offer.codec,
      dtmfPayloadType: offer.dtmfPayloadType,
      remote: offer.remote,
      bind: this.#d.bind,
      denoise: this.#d.options.noiseSuppression === true,
    });
    const tag = newTag();
    const dialog = uasDialog(req, from, tag);
    const callerId = parseUri(addrUri(header(req, 'from')))?.user;
    const info: CallInfo = {
      id,
      state: 'ringing',
      attributes: {},
      customerLeg: { legId, port },
      startedAt: new Date().toISOString(),
    };
    const call: Call = {
      info,
      dialog,
      inviteKey: dialog.callId,
      lastResponse: undefined,
      retransmit: undefined,
      agent: undefined,
      startedMs: Date.now(),
      pausedBy: undefined,
      io: new CallMediaIO(this.#d.worker, legId, {
        tts: this.#d.tts,
        asr: this.#d.asr,
        recording: {
          pause: (reason) => this.#pause(id, reason),
          resume: (reason) => this.#resume(id, reason),
        },
      }),
    };
    this.#calls.set(id, call);
    this.#bySipId.set(dialog.callId, call);
    this.#byLeg.set(legId, call);
    this.#respond(req, from, 180, 'Ringing', (r) => this.#withTag(r, tag));
    const ok = makeResponse(req, 200, 'OK', tag);
    ok.headers.set('contact', [contactFor(this.#d.transport, from, 'branchline')]);
    ok.headers.set('content-type', ['application/sdp']);
    ok.body = Buffer.from(
      buildAudioSdp({
        host: this.#d.bind,
        port,
        codec: offer.codec,
        dtmfPayloadType: offer.dtmfPayloadType,
        sessionId: Date.now(),
      }),
    );
    call.lastResponse = ok;
    this.#sendReliably(call, ok, from);
    info.state = 'ivr';
    if (callerId && this.#d.identifyCaller) {
      const customerId = await this.#d.identifyCaller(callerId).catch(() => undefined);
      if (customerId) info.customerId = customerId;
    }
    await this.#d.recordings.begin(id, call.startedMs);
    await this.#startRecording(call, 'customer', legId);
    await this.#d.bus.publish('call.started', {
      callId: id,
      trunk: from.host,
      ...(info.customerId ? { customerId: info.customerId } : {}),
    });
    void this.#runIvr(call, callerId);
  }

  #withTag(r: SipResponse, tag: string): void {
    const to = r.headers.get('to')?.[0];
    if (to && !/;\s*tag=/i.test(to)) r.headers.set('to', [`${to};tag=${tag}`]);
  }

  #sendReliably(call: Call, res: SipResponse, to: Peer): void {
    this.#d.transport.send(res, to);
    let delay = 500;
    let total = 0;
    const again = () => {
      total += delay;
      if (total > 32_000 || !this.#calls.has(call.info.id)) return;
      this.#d.transport.send(res, to);
      delay = Math.min(delay * 2, 4000);
      call.retransmit = setTimeout(again, delay);
    };
    call.retransmit = setTimeout(again, delay);
  }

  async #runIvr(call: Call, callerId: string | undefined): Promise<void> {
    let outcome: FlowOutcome = { kind: 'hangup', attributes: {} };
    try {
      const flow = await this.#d.options.inboundFlow();
      if (flow) {
        const base = this.#d.runOptions?.(call.info, callerId) ?? {};
        outcome = await runFlow(flow, call.io, {
          ...base,
          vars: { ...(base.vars ?? {}), callerId: callerId ?? '' },
        });
      }
    } catch (e) {
      if (call.info.state === 'ended') return;
      this.#d.logger.warn('ivr failed', {
        callId: call.info.id,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    if (call.info.state === 'ended') return;
    Object.assign(call.info.attributes, outcome.attributes);
    if (outcome.kind === 'enqueue') {
      call.info.state = 'queued';
      call.info.queue = outcome.queue;
      call.info.attributes['ivrQueue'] = outcome.queue;
      try {
        const opened = await this.#d.openContact?.(structuredClone(call.info), callerId);
        if (opened) {
          call.info.contactId = opened.contactId;
          call.info.customerId = opened.customerId;
        }
      } catch (e) {
        this.#d.logger.error('opening the contact failed', {
          callId: call.info.id,
          error: e instanceof Error ? e.message : String(e),
        });
      }
      if ((call.info.state as string) === 'ended') return;
      await this.#d.bus.publish('call.queued', {
        callId: call.info.id,
        contactId: call.info.contactId ?? '',
        channel: 'voice',
        queue: outcome.queue,
        priority: outcome.priority,
        attributes: { ...call.info.attributes },
      });
      const contactId = call.info.contactId;
      const position = this.#d.queuePosition;
      void holdInQueue(call.io, {
        tts: this.#d.tts,
        logger: this.#d.logger,
        lang: outcome.language,
        everyMs: outcome.announceEverySeconds * 1000,
        ...(outcome.holdMusic ? { music: outcome.holdMusic } : {}),
        waiting: () => call.info.state === 'queued' || call.info.state === 'connecting',
        estimate: () => (contactId && position ? position(contactId) : undefined),
        callId: call.info.id,
      });
      return;
    }
    await this.hangup(call.info.id, outcome.kind === 'transfer' ? 'transfer_unavailable' : 'flow_hangup');
  }

  /** Rings the agent's registered phone and bridges on answer (routing calls this on accept). */
  async connectAgent(callId: string, userId: string): Promise<boolean> {
    const call = this.#calls.get(callId);
    if (!call || (call.info.state !== 'queued' && call.info.state !== 'ivr')) return false;
    const binding = this.#d.accounts.bindingForUser(userId, await this.#d.accounts.list());
    if (!binding) return false;
    call.info.state = 'connecting';
    // After a transfer to a queue the agent leg (and its recording) waits parked for the next agent.
    const parked = this.#control.takeParked(call);
    const legId = parked?.legId ?? `${callId}:agent`;
    const port = parked?.port ?? (await this.#d.worker.openRtp(legId, this.#d.bind));
    this.#byLeg.set(legId, call);
    const local = this.#d.transport.local;
    const dialog: Dialog = {
      callId: `${randomUUID()}@branchline`,
      localUri: `sip:ivr@${local.host}:${local.port}`,
      localTag: newTag(),
      remoteUri: binding.contact,
      remoteTag: undefined,
      remoteTarget: binding.contact,
      peer: {
        host: binding.host,
        port: binding.port,
        ...(binding.transport !== 'udp' ? { transport: binding.transport } : {}),
      },
      cseq: 1,
    };
    call.agent = { dialog, legId };
    this.#bySipId.set(dialog.callId, call);
    const invite = inDialogRequest(dialog, 'INVITE', {
      cseq: 1,
      contentType: 'application/sdp',
      body: Buffer.from(
        buildAudioSdp({
          host: this.#d.bind,
          port,
          codec: 'pcmu',
          dtmfPayloadType: 101,
          sessionId: Date.now(),
        }),
      ),
    });
    invite.headers.set('contact', [`<sip:ivr@${local.host}:${local.port}>`]);
    const res = await this.#d.transport.request(invite, dialog.peer);
    if (res.status < 200 || res.status >= 300 || (call.info.state as string) === 'ended') {
      if ((call.info.state as string) !== 'ended') call.info.state = 'queued';
      this.#bySipId.delete(dialog.callId);
      call.agent = undefined;
      if (parked) this.#control.park(call, parked);
      else await this.#d.worker.request({ op: 'close', legId }).catch(() => undefined);
      return false;
    }
    dialog.remoteTag = param(header(res, 'to'), 'tag');
    dialog.remoteTarget = addrUri(header(res, 'contact')) ?? dialog.remoteTarget;
    const ack = inDialogRequest(dialog, 'ACK', { cseq: 1 });
    ack.headers.set('via', [this.#d.transport.via(dialog.peer, this.#d.transport.newBranch())]);
    this.#d.transport.send(ack, dialog.peer);
    const answer = parseAudioSdp(res.body.toString('latin1'));
    if (answer)
      await this.#d.worker.request({
        op: 'update',
        legId,
        remote: answer.remote,
        codec: answer.codec,
        dtmfPayloadType: answer.dtmfPayloadType,
      });
    // Bridged before the queue prompt is stopped: the stop wakes the queue loop, which must see
    // the call taken, or it starts the music again on top of the agent.
    call.info.agentLeg = { legId, port, userId };
    call.info.state = 'bridged';
    await this.#d.worker.request({ op: 'stopPlay', legId: call.info.customerLeg.legId });
    await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: legId });
    if (!parked) await this.#startRecording(call, 'agent', legId);
    if (call.pausedBy && !parked) await this.#d.worker.request({ op: 'recordPause', legId });
    await this.#d.bus.publish('call.connected', {
      callId,
      contactId: call.info.contactId ?? '',
      agentUserId: userId,
    });
    return true;
  }

  // --- Transfer and hold (CallControl in transfer.ts; additive) ---

  /** Blind or attended transfer of a bridged call to an agent, a SIP extension or (blind) a queue. */
  transfer(
    callId: string,
    mode: 'blind' | 'attended',
    to: TransferTarget,
    actor: { userId?: string } = {},
  ): Promise<void> {
    return this.#control.transfer(callId, mode, to, actor);
  }

  completeTransfer(callId: string, actor: { userId?: string } = {}): Promise<void> {
    return this.#control.complete(callId, actor);
  }

  cancelTransfer(callId: string, actor: { userId?: string } = {}): Promise<void> {
    return this.#control.cancel(callId, actor);
  }

  /** During an attended transfer: customer, agent and target all hear each other. */
  conference(callId: string, actor: { userId?: string } = {}): Promise<void> {
    return this.#control.conference(callId, actor);
  }

  /** The agent holds the customer: the customer hears the hold tone, the agent hears nothing. */
  hold(callId: string): Promise<void> {
    return this.#control.hold(callId, 'agent');
  }

  resume(callId: string): Promise<void> {
    return this.#control.resume(callId, 'agent');
  }

  // --- WebRTC (added by the media/WebRTC work; additive) ---

  /**
   * A call whose customer leg is an already-open media-worker leg (a browser
   * caller from the web widget): recorded, run through the inbound flow and
   * queued exactly like a trunk call.
   */
  async startMediaCall(legId: string, options: { source: string }): Promise<CallInfo> {
    const id = legId.split(':')[0] ?? randomUUID();
    const local = this.#d.transport.local;
    const dialog: Dialog = {
      callId: `webrtc-${id}`,
      localUri: `sip:ivr@${local.host}`,
      localTag: newTag(),
      remoteUri: 'sip:browser@invalid',
      remoteTag: undefined,
      remoteTarget: 'sip:browser@invalid',
      peer: { host: '127.0.0.1', port: 0 },
      cseq: 1,
    };
    const info: CallInfo = {
      id,
      state: 'ivr',
      attributes: { origin: 'webrtc' },
      customerLeg: { legId, port: 0 },
      startedAt: new Date().toISOString(),
    };
    const call: Call = {
      info,
      dialog,
      inviteKey: dialog.callId,
      lastResponse: undefined,
      retransmit: undefined,
      agent: undefined,
      startedMs: Date.now(),
      pausedBy: undefined,
      sipless: true,
      io: new CallMediaIO(this.#d.worker, legId, {
        tts: this.#d.tts,
        asr: this.#d.asr,
        recording: {
          pause: (reason) => this.#pause(id, reason),
          resume: (reason) => this.#resume(id, reason),
        },
      }),
    };
    this.#calls.set(id, call);
    this.#byLeg.set(legId, call);
    await this.#d.recordings.begin(id, call.startedMs);
    await this.#startRecording(call, 'customer', legId);
    await this.#d.bus.publish('call.started', { callId: id, trunk: options.source });
    void this.#runIvr(call, undefined);
    return structuredClone(info);
  }

  /** Bridges a queued call to an already-open agent leg (the console softphone) instead of ringing a SIP phone. */
  async attachAgentLeg(callId: string, userId: string, legId: string): Promise<boolean> {
    const call = this.#calls.get(callId);
    if (call?.info.state !== 'queued') return false;
    this.#byLeg.set(legId, call);
    call.info.agentLeg = { legId, port: 0, userId };
    call.info.state = 'bridged';
    await this.#d.worker.request({ op: 'stopPlay', legId: call.info.customerLeg.legId });
    await this.#d.worker.request({ op: 'bridge', a: call.info.customerLeg.legId, b: legId });
    // After a transfer to a queue the parked agent channel's recording moves onto this leg.
    const parked = this.#control.takeParked(call);
    if (parked) await this.#control.adoptParked(parked, legId);
    else await this.#startRecording(call, 'agent', legId);
    if (call.pausedBy) await this.#d.worker.request({ op: 'recordPause', legId });
    await this.#d.bus.publish('call.connected', {
      callId,
      contactId: call.info.contactId ?? '',
      agentUserId: userId,
    });
    return true;
  }

  // --- Outbound (dial-out in dialout.ts; additive) ---

  /**
   * Takes over an outbound call whose two legs are already answered and
   * bridged: from here on BYE, hangup and recording work as for inbound calls.
   */
  async adoptOutbound(o: {
    id: string;
    customer: { dialog: Dialog; legId: string; port: number };
    /** No dialog: the agent is on a console softphone (browser) leg. */
    agent: { dialog?: Dialog; legId: string; port: number; userId: string };
    trunk: string;
    attributes: Record<string, string | number | boolean>;
  }): Promise<CallInfo> {
    const info: CallInfo = {
      id: o.id,
      state: 'bridged',
      attributes: { ...o.attributes, direction: 'outbound' },
      customerLeg: { legId: o.customer.legId, port: o.customer.port },
      agentLeg: { legId: o.agent.legId, port: o.agent.port, userId: o.agent.userId },
      startedAt: new Date().toISOString(),
    };
    const call: Call = {
      info,
      dialog: o.customer.dialog,
      inviteKey: o.customer.dialog.callId,
      lastResponse: undefined,
      retransmit: undefined,
      agent: o.agent.dialog ? { dialog: o.agent.dialog, legId: o.agent.legId } : undefined,
      startedMs: Date.now(),
      pausedBy: undefined,
      io: new CallMediaIO(this.#d.worker, o.customer.legId, {
        tts: this.#d.tts,
        asr: this.#d.asr,
        recording: {
          pause: (reason) => this.#pause(o.id, reason),
          resume: (reason) => this.#resume(o.id, reason),
        },
      }),
    };
    this.#calls.set(o.id, call);
    this.#bySipId.set(o.customer.dialog.callId, call);
    if (o.agent.dialog) this.#bySipId.set(o.agent.dialog.callId, call);
    this.#byLeg.set(o.customer.legId, call);
    this.#byLeg.set(o.agent.legId, call);
    await this.#d.recordings.begin(o.id, call.startedMs);
    await this.#startRecording(call, 'customer', o.customer.legId);
    await this.#startRecording(call, 'agent', o.agent.legId);
    await this.#d.bus.publish('call.started', { callId: o.id, trunk: o.trunk });
    await this.#d.bus.publish('call.connected', { callId: o.id, contactId: '', agentUserId: o.agent.userId });
    return structuredClone(info);
  }

  async #startRecording(call: Call, leg: 'customer' | 'agent', legId: string): Promise<void> {
    const { path, key } = await this.#d.recordings.legStream(call.info.id, leg);
    await this.#d.worker.request({
      op: 'recordStart',
      legId,
      path,
      key,
      callId: call.info.id,
      leg,
      epochMs: call.startedMs,
    });
  }

  async #pause(callId: string, reason: string): Promise<void> {
    const call = this.#calls.get(callId);
    if (!call || call.pausedBy) return;
    call.pausedBy = reason;
    for (const legId of this.#legIds(call))
      await this.#d.worker.request({ op: 'recordPause', legId }).catch(() => undefined);
    await this.#d.recordings.note(callId, 'all', 'pause', reason);
    await this.#d.bus.publish('recording.paused', { callId, reason });
  }

  async #resume(callId: string, reason: string): Promise<void> {
    const call = this.#calls.get(callId);
    if (!call || call.pausedBy !== reason) return;
    call.pausedBy = undefined;
    for (const legId of this.#legIds(call))
      await this.#d.worker.request({ op: 'recordResume', legId }).catch(() => undefined);
    await this.#d.recordings.note(callId, 'all', 'resume', reason);
    await this.#d.bus.publish('recording.resumed', { callId, reason });
  }

  /** Agent-initiated resume; refused while a PCI step holds the pause. */
  async resumeRecordingByAgent(callId: string): Promise<boolean> {
    const call = this.#calls.get(callId);
    if (!call || call.pausedBy?.startsWith('pci:')) return false;
    if (call.pausedBy) await this.#resume(callId, call.pausedBy);
    return true;
  }

  #legIds(call: Call): string[] {
    return [call.info.customerLeg.legId, ...(call.info.agentLeg ? [call.info.agentLeg.legId] : [])];
  }

  async hangup(callId: string, reason: string, options: { skip?: string } = {}): Promise<void> {
    const call = this.#calls.get(callId);
    if (!call || call.info.state === 'ended') return;
    call.info.state = 'ended';
    if (call.retransmit) clearTimeout(call.retransmit);
    call.io.end();
    const parkedChunks = await this.#control.onHangup(call).catch(() => ({}));
    const local = this.#d.transport.local;
    const byes: Promise<unknown>[] = [];
    for (const d of [call.dialog, call.agent?.dialog]) {
      if (
        !d ||
        (d === call.dialog && call.sipless) ||
        d.callId === options.skip ||
        (d === call.agent?.dialog && d.remoteTag === undefined)
      )
        continue;
      const bye = inDialogRequest(d, 'BYE');
      bye.headers.set('contact', [`<sip:ivr@${local.host}:${local.port}>`]);
      byes.push(this.#d.transport.request(bye, d.peer));
    }
    const chunks: Partial<Record<'customer' | 'agent', number>> = { ...parkedChunks };
    for (const [leg, legId] of [
      ['customer', call.info.customerLeg.legId],
      ['agent', call.agent?.legId ?? call.info.agentLeg?.legId],
    ] as const) {
      if (!legId) continue;
      const r = await this.#d.worker
        .request<{ chunks: number }>({ op: 'recordStop', legId })
        .catch(() => undefined);
      if (r) chunks[leg] = r.chunks;
      await this.#d.worker.request({ op: 'close', legId }).catch(() => undefined);
      this.#byLeg.delete(legId);
    }
    await this.#d.recordings.note(callId, 'all', 'stop', reason).catch(() => undefined);
    await this.#d.recordings.finish(callId, chunks).catch(() => undefined);
    this.#calls.delete(callId);
    // Late retransmitted BYEs still find the call for a few seconds.
    setTimeout(() => {
      this.#bySipId.delete(call.dialog.callId);
      if (call.agent) this.#bySipId.delete(call.agent.dialog.callId);
    }, 5000).unref();
    await this.#d.bus.publish('call.ended', {
      callId,
      contactId: call.info.contactId ?? '',
      answered: call.info.agentLeg !== undefined,
      reason,
      durationMs: Date.now() - call.startedMs,
    });
    await Promise.race([Promise.all(byes), new Promise((r) => setTimeout(r, 2000))]);
  }

  /** The media worker died: every call's media is gone, so every call ends with a BYE. */
  async onWorkerCrash(detail: string): Promise<void> {
    await this.#d.bus.publish('system.alarm_raised', {
      alarm: 'voice.media_worker_died',
      severity: 'critical',
      detail,
    });
    for (const id of [...this.#calls.keys()]) await this.hangup(id, 'media_failure');
  }

  #onMedia(e: MediaEvent): void {
    if (e.ev === 'ready') return;
    const call = this.#byLeg.get(e.legId);
    if (!call) return;
    if (e.ev === 'dtmf' && e.legId === call.info.customerLeg.legId) call.io.onDigit(e.digit);
    else if (e.ev === 'played') {
      call.io.onPlayed(e.playId);
      this.#control.onPlayed(call, e.playId, e.completed);
    } else if (e.ev === 'captured') call.io.onCaptured(e.captureId, Buffer.from(e.ulaw, 'base64'));
  }

  async close(): Promise<void> {
    for (const id of [...this.#calls.keys()]) await this.hangup(id, 'shutdown');
    this.#detach();
  }
}

function mask(n: string): string {
  return n.length > 4 ? `${n.slice(0, 3)}***${n.slice(-2)}` : '***';
}

/** Our Contact for a peer: the listener of its transport, with `;transport=` for streams. */
export function contactFor(transport: SipTransport, peer: Peer, user: string): string {
  const l = transport.localFor(peer);
  const t = peer.transport && peer.transport !== 'udp' ? `;transport=${peer.transport}` : '';
  return `<sip:${user}@${l.host}:${l.port}${t}>`;
}
