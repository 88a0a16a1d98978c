import { randomUUID } from 'node:crypto';
import { AgentConnector } from './agent-connect.ts';
import { CallRecording } from './call-recording.ts';
import { CallTable } from './call-table.ts';
import type { CallsContext, VoiceDeps } from './call-types.ts';
import { CallHangup } from './hangup.ts';
import { IvrRunner } from './ivr.ts';
import type { MediaEvent } from './media/protocol.ts';
import type { LegStats } from './media/stats.ts';
import { newCall } from './new-call.ts';
import { type Dialog, newTag } from './sip/dialog.ts';
import type { SipRequest } from './sip/message.ts';
import type { SipAccounts } from './sip/registrar.ts';
import type { Peer } from './sip/transport.ts';
import { SipInbound } from './sip-inbound.ts';
import { CallControl } from './transfer.ts';
import type { CallInfo, TransferTarget } from './types.ts';

/** The B2BUA: trunk calls in, IVR via flows, agent legs out, bridging and recording in the media worker. */
export class VoiceService {
  #d: VoiceDeps;
  #table = new CallTable();
  #detach: () => void;
  #control: CallControl;
  #recording: CallRecording;
  #ctx: CallsContext;
  #inbound: SipInbound;
  #ivr: IvrRunner;
  #agents: AgentConnector;
  #hangups: CallHangup;

  constructor(deps: VoiceDeps) {
    this.#d = deps;
    this.#control = new CallControl({ ...deps, registry: this.#table });
    this.#recording = new CallRecording(deps, this.#table);
    this.#ctx = {
      d: deps,
      table: this.#table,
      control: this.#control,
      recording: this.#recording,
      hangup: (callId, reason, options) => this.hangup(callId, reason, options),
      runIvr: (call, callerId) => this.#ivr.run(call, callerId),
    };
    this.#inbound = new SipInbound(this.#ctx);
    this.#ivr = new IvrRunner(this.#ctx);
    this.#agents = new AgentConnector(this.#ctx);
    this.#hangups = new CallHangup(this.#ctx);
    this.#detach = deps.worker.on((e) => this.#onMedia(e));
  }

  get accounts(): SipAccounts {
    return this.#d.accounts;
  }

  list(): CallInfo[] {
    return [...this.#table.values()].map((c) => structuredClone(c.info));
  }

  /** The live call behind a contact (routing knows contacts, not calls). */
  byContact(contactId: string): CallInfo | undefined {
    for (const c of this.#table.values()) if (c.info.contactId === contactId) return structuredClone(c.info);
    return undefined;
  }

  get(callId: string): CallInfo | undefined {
    const c = this.#table.get(callId);
    return c ? structuredClone(c.info) : undefined;
  }

  /** Entry for every parsed request the transport admits. */
  handle(req: SipRequest, from: Peer): Promise<void> {
    return this.#inbound.handle(req, from);
  }

  /** Rings the agent's registered phone and bridges on answer (routing calls this on accept). */
  connectAgent(callId: string, userId: string): Promise<boolean> {
    return this.#agents.connect(callId, userId);
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
    const call = newCall(this.#ctx, { info, dialog, sipless: true });
    this.#table.add(call);
    this.#table.indexLeg(legId, call);
    await this.#d.recordings.begin(id, call.startedMs);
    await this.#recording.start(call, 'customer', legId);
    await this.#d.bus.publish('call.started', { callId: id, trunk: options.source });
    void this.#ivr.run(call, undefined);
    return structuredClone(info);
  }

  /** Bridges a queued call to an already-open agent leg (the console softphone) instead of ringing a SIP phone. */
  attachAgentLeg(callId: string, userId: string, legId: string): Promise<boolean> {
    return this.#agents.attach(callId, userId, legId);
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
    const call = newCall(this.#ctx, {
      info,
      dialog: o.customer.dialog,
      agent: o.agent.dialog ? { dialog: o.agent.dialog, legId: o.agent.legId } : undefined,
    });
    this.#table.add(call);
    this.#table.indexSip(o.customer.dialog.callId, call);
    if (o.agent.dialog) this.#table.indexSip(o.agent.dialog.callId, call);
    this.#table.indexLeg(o.customer.legId, call);
    this.#table.indexLeg(o.agent.legId, call);
    await this.#d.recordings.begin(o.id, call.startedMs);
    await this.#recording.start(call, 'customer', o.customer.legId);
    await this.#recording.start(call, 'agent', o.agent.legId);
    await this.#d.bus.publish('call.started', { callId: o.id, trunk: o.trunk });
    await this.#d.bus.publish('call.connected', { callId: o.id, contactId: '', agentUserId: o.agent.userId });
    return structuredClone(info);
  }

  /** Agent-initiated resume; refused while a PCI step holds the pause. */
  resumeRecordingByAgent(callId: string): Promise<boolean> {
    return this.#recording.resumeByAgent(callId);
  }

  hangup(callId: string, reason: string, options: { skip?: string } = {}): Promise<void> {
    return this.#hangups.run(callId, reason, options);
  }

  /** The media worker died: every call's media is gone, so every call ends with a BYE. */
  async onWorkerCrash(detail: string): Promise<void> {
    await this.#d.bus.publish('system.alarm_raised', {
      alarm: 'voice.media_worker_died',
      severity: 'critical',
      detail,
    });
    for (const id of this.#table.ids()) await this.hangup(id, 'media_failure');
  }

  #onMedia(e: MediaEvent): void {
    if (e.ev === 'ready') return;
    const call = this.#table.byLeg(e.legId);
    if (!call) return;
    if (e.ev === 'dtmf' && e.legId === call.info.customerLeg.legId) call.io.onDigit(e.digit);
    else if (e.ev === 'played') {
      call.io.onPlayed(e.playId);
      this.#control.onPlayed(call, e.playId, e.completed);
    } else if (e.ev === 'captured') call.io.onCaptured(e.captureId, Buffer.from(e.ulaw, 'base64'));
    else if (e.ev === 'srtp') {
      const leg = e.legId === call.info.customerLeg.legId ? 'customer' : 'agent';
      this.#d.logger.warn(
        `srtp packets refused [code:VOICE_SRTP_AUTH_FAILURES, callId:${call.info.id}, leg:${leg}, authFailures:${e.authFailures}, replays:${e.replays}]`,
      );
      void this.#d.bus.publish('system.alarm_raised', {
        alarm: 'voice.srtp_failures',
        severity: 'warning',
        detail: `call ${call.info.id} ${leg} leg: ${e.authFailures} SRTP authentication failures, ${e.replays} replays`,
      });
    }
  }

  /** Media figures of a live call's legs (SRTP legs add their suite, auth failures and replays). */
  async mediaStats(callId: string): Promise<Partial<Record<'customer' | 'agent', LegStats>> | undefined> {
    const c = this.#table.get(callId);
    if (!c) return undefined;
    const out: Partial<Record<'customer' | 'agent', LegStats>> = {};
    for (const [leg, legId] of [
      ['customer', c.info.customerLeg.legId],
      ['agent', c.agent?.legId ?? c.info.agentLeg?.legId],
    ] as const) {
      if (!legId) continue;
      const s = await this.#d.worker.request<LegStats>({ op: 'stats', legId }).catch(() => undefined);
      if (s) out[leg] = s;
    }
    return out;
  }

  async close(): Promise<void> {
    for (const id of this.#table.ids()) await this.hangup(id, 'shutdown');
    this.#detach();
  }
}
