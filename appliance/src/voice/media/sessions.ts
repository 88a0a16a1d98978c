import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../events/index.ts';
import type { Logger } from '../../logging/index.ts';
import type { VoiceService } from '../calls.ts';
import { WebRtcError } from './errors.ts';
import type { MediaEvent, SuperviseMode, WebRtcCodec } from './protocol.ts';
import type { LegStats } from './stats.ts';
import type { MediaWorker } from './supervisor.ts';
import type { SessionRole, WebRtcSessionInfo } from './webrtc-types.ts';

export interface WebRtcSessionsOptions {
  worker: MediaWorker;
  voice: VoiceService;
  bus: EventBus;
  logger: Logger;
  /** Host candidates werift adds (it advertises no loopback candidate otherwise). */
  hosts?: string[];
  /** A bounded ICE port range (an exhausted range silently yields no candidate). */
  portRange?: [number, number];
  /** Public widget calls allowed per source address per minute. */
  publicPerMinute?: number;
  /**
   * Who may answer a queued call in a browser (routing's accepted offer); when
   * absent any agent may (calls that are not routed as contacts).
   */
  mayAttach?: (callId: string, userId: string) => boolean;
}

/**
 * Browser call legs in the media worker: the console softphone (agents,
 * supervisors) and the web widget's "call us" button (customers). Relays SDP,
 * maps legs to calls, turns worker quality events into domain events.
 */
export class WebRtcSessions {
  #o: WebRtcSessionsOptions;
  #sessions = new Map<string, WebRtcSessionInfo>();
  #byLeg = new Map<string, WebRtcSessionInfo>();
  #publicHits = new Map<string, number[]>();
  #detach: () => void;
  #closed = false;

  constructor(options: WebRtcSessionsOptions) {
    this.#o = options;
    this.#detach = options.worker.on((e) => this.#onMedia(e));
  }

  get(sessionId: string): WebRtcSessionInfo | undefined {
    const s = this.#sessions.get(sessionId);
    return s ? { ...s } : undefined;
  }

  async #open(
    sdp: string,
    role: SessionRole,
    extra: { userId?: string; callId?: string; codec?: WebRtcCodec },
  ): Promise<{ info: WebRtcSessionInfo; sdp: string }> {
    if (!/^v=0/m.test(sdp) || !/^m=audio /m.test(sdp))
      throw new WebRtcError('VOICE_WEBRTC_BAD_OFFER', 'an SDP offer with audio is required');
    const sessionId = randomUUID();
    const legId = `${extra.callId ?? sessionId}:${role}${role === 'customer' ? '' : `-${sessionId.slice(0, 8)}`}`;
    let answer: { sdp: string; codec: WebRtcCodec | 'pcma' };
    try {
      answer = await this.#o.worker.request<{ sdp: string; codec: WebRtcCodec | 'pcma' }>({
        op: 'open',
        legId,
        kind: 'webrtc',
        offer: sdp,
        codecs: codecsFor(sdp, extra.codec ?? 'pcmu'),
        hosts: this.#o.hosts ?? ['127.0.0.1'],
        ...(this.#o.portRange ? { portRange: this.#o.portRange } : {}),
      });
    } catch (e) {
      throw new WebRtcError('VOICE_WEBRTC_BAD_OFFER', e instanceof Error ? e.message : String(e));
    }
    const info: WebRtcSessionInfo = {
      sessionId,
      legId,
      role,
      codec: answer.codec,
      ...(extra.userId ? { userId: extra.userId } : {}),
      ...(extra.callId ? { callId: extra.callId } : {}),
    };
    this.#sessions.set(sessionId, info);
    this.#byLeg.set(legId, info);
    return { info, sdp: answer.sdp };
  }

  /** The agent's softphone; with `callId` it answers that queued call at once. */
  async openAgent(
    sdp: string,
    options: { userId: string; callId?: string },
  ): Promise<{ sessionId: string; sdp: string; callId?: string }> {
    if (options.callId) this.#answerable(options.callId, options.userId);
    const { info, sdp: answer } = await this.#open(sdp, 'agent', options);
    if (options.callId) await this.answer(info.sessionId, { userId: options.userId, callId: options.callId });
    return { sessionId: info.sessionId, sdp: answer, ...(options.callId ? { callId: options.callId } : {}) };
  }

  #answerable(callId: string, userId: string): void {
    const call = this.#o.voice.get(callId);
    if (!call) throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_FOUND', 'no such call');
    if (call.state !== 'queued')
      throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_ANSWERABLE', `call is ${call.state}`);
    if (this.#o.mayAttach && !this.#o.mayAttach(callId, userId))
      throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_ANSWERABLE', 'the call was offered to another agent');
  }

  /**
   * The leg of the caller's own agent session that carries no call yet, for
   * dialling out from the browser; `bindCall` then ties the session to the call.
   */
  idleAgentLeg(sessionId: string, userId: string): string {
    const s = this.#own(sessionId, userId);
    if (s.role !== 'agent' || s.callId)
      throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_ANSWERABLE', 'this session already carries a call');
    return s.legId;
  }

  bindCall(sessionId: string, callId: string): void {
    const s = this.#sessions.get(sessionId);
    if (s) s.callId = callId;
  }

  /** The live call carrying a contact (the console knows contacts, not calls). */
  callForContact(contactId: string): string {
    const call = this.#o.voice.byContact(contactId);
    if (!call) throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_FOUND', 'no call for this contact');
    return call.id;
  }

  async answer(sessionId: string, options: { userId: string; callId: string }): Promise<void> {
    const s = this.#own(sessionId, options.userId);
    this.#answerable(options.callId, options.userId);
    const ok = await this.#o.voice.attachAgentLeg(options.callId, options.userId, s.legId);
    if (!ok) throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_ANSWERABLE', 'the call was taken or ended');
    s.callId = options.callId;
  }

  /** A customer's browser call from the web widget: no session, rate-limited per address, runs the IVR. */
  async openPublic(
    sdp: string,
    options: { source: string },
  ): Promise<{ sessionId: string; sdp: string; callId: string }> {
    this.#limit(options.source);
    const callId = randomUUID();
    const { info, sdp: answer } = await this.#open(sdp, 'customer', { callId });
    await this.#o.voice.startMediaCall(info.legId, { source: 'webrtc' });
    return { sessionId: info.sessionId, sdp: answer, callId };
  }

  #limit(source: string): void {
    const now = Date.now();
    const hits = (this.#publicHits.get(source) ?? []).filter((t) => now - t < 60_000);
    if (hits.length >= (this.#o.publicPerMinute ?? 6))
      throw new WebRtcError('VOICE_WEBRTC_RATE_LIMITED', 'too many calls from this address');
    hits.push(now);
    this.#publicHits.set(source, hits);
    if (this.#publicHits.size > 10_000) this.#publicHits.clear();
  }

  /** A supervisor's browser joins a bridged call in `mode`. */
  async openSupervisor(
    sdp: string,
    options: { userId: string; callId: string; mode: Exclude<SuperviseMode, 'off'> },
  ): Promise<{ sessionId: string; sdp: string }> {
    this.#bridged(options.callId);
    const { info, sdp: answer } = await this.#open(sdp, 'supervisor', options);
    await this.supervise(options.callId, info.legId, options.mode, { userId: options.userId });
    return { sessionId: info.sessionId, sdp: answer };
  }

  #bridged(callId: string): { customer: string; agent: string } {
    const call = this.#o.voice.get(callId);
    if (!call) throw new WebRtcError('VOICE_WEBRTC_CALL_NOT_FOUND', 'no such call');
    if (!call.agentLeg || call.state !== 'bridged')
      throw new WebRtcError('VOICE_WEBRTC_NOT_BRIDGED', 'the call has no agent yet');
    return { customer: call.customerLeg.legId, agent: call.agentLeg.legId };
  }

  /**
   * Puts any open leg (a browser or a SIP phone) on a bridged call as its
   * supervisor: listen, whisper, barge, or off; each use is audited.
   */
  async supervise(
    callId: string,
    supervisorLegId: string,
    mode: SuperviseMode,
    actor: { userId: string },
  ): Promise<void> {
    const legs = this.#bridged(callId);
    await this.#o.worker.request({ op: 'supervise', ...legs, supervisor: supervisorLegId, mode });
    const s = this.#byLeg.get(supervisorLegId);
    if (s) s.mode = mode;
    await this.#o.bus.publish(
      'call.supervised',
      { callId, supervisorUserId: actor.userId, mode, supervisorLegId },
      { actor: actor.userId },
    );
  }

  /** Changes an open supervisor session's mode. */
  async setMode(sessionId: string, mode: SuperviseMode, userId: string): Promise<void> {
    const s = this.#own(sessionId, userId);
    if (s.role !== 'supervisor' || !s.callId)
      throw new WebRtcError('VOICE_WEBRTC_SESSION_NOT_FOUND', 'not a supervisor session');
    await this.supervise(s.callId, s.legId, mode, { userId });
  }

  async stats(sessionId: string, userId?: string): Promise<LegStats> {
    const s = this.#own(sessionId, userId);
    return this.#o.worker.request<LegStats>({ op: 'stats', legId: s.legId });
  }

  /** Ends the session; an agent's or customer's hang-up ends the call. */
  async hangup(sessionId: string, userId?: string): Promise<void> {
    const s = this.#own(sessionId, userId);
    await this.#end(s, s.role === 'agent' ? 'agent_hangup' : 'caller_hangup');
  }

  async #end(s: WebRtcSessionInfo, reason: string): Promise<void> {
    if (!this.#sessions.delete(s.sessionId)) return;
    this.#byLeg.delete(s.legId);
    if (s.role === 'supervisor' && s.callId && s.mode && s.mode !== 'off')
      await this.supervise(s.callId, s.legId, 'off', { userId: s.userId ?? 'unknown' }).catch(
        () => undefined,
      );
    const call = s.callId ? this.#o.voice.get(s.callId) : undefined;
    const carries = call && (call.customerLeg.legId === s.legId || call.agentLeg?.legId === s.legId);
    // An agent leaving mid-consultation hands the customer to the consulted target.
    const handOver = carries && call?.consulting && call.agentLeg?.legId === s.legId;
    if (
      handOver &&
      call &&
      (await this.#o.voice.completeTransfer(call.id).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (carries && call) await this.#o.voice.hangup(call.id, reason);
    else await this.#o.worker.request({ op: 'close', legId: s.legId }).catch(() => undefined);
  }

  #own(sessionId: string, userId: string | undefined): WebRtcSessionInfo {
    const s = this.#sessions.get(sessionId);
    // Another user's session id is answered like an unknown one.
    if (!s || (userId !== undefined && s.userId !== userId))
      throw new WebRtcError('VOICE_WEBRTC_SESSION_NOT_FOUND', 'no such session');
    return s;
  }

  #onMedia(e: MediaEvent): void {
    if (e.ev === 'connection') {
      const s = this.#byLeg.get(e.legId);
      if (s && (e.state === 'failed' || e.state === 'closed'))
        void this.#end(s, 'webrtc_failed').catch((err: unknown) =>
          this.#o.logger.warn('ending a failed browser leg', { error: String(err) }),
        );
      return;
    }
    if (e.ev !== 'quality' || e.state !== 'degraded') return;
    const callId = this.#byLeg.get(e.legId)?.callId ?? e.legId.split(':')[0] ?? e.legId;
    void this.#o.bus.publish('call.quality_degraded', {
      callId,
      legId: e.legId,
      mos: e.mos,
      lossPct: e.lossPct,
      jitterMs: e.jitterMs,
      ...(e.rttMs !== undefined ? { rttMs: e.rttMs } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    for (const s of [...this.#sessions.values()]) await this.#end(s, 'shutdown').catch(() => undefined);
  }
}

/**
 * PCMU when the browser offers it (no transcoding for PSTN calls); a browser
 * that offers only Opus still connects, and the worker transcodes its bridge.
 */
function codecsFor(offer: string, wanted: WebRtcCodec): WebRtcCodec[] {
  if (wanted !== 'pcmu') return [wanted];
  const mline = /^m=audio \d+ \S+ ([\d ]+)/m.exec(offer)?.[1]?.split(' ') ?? [];
  const pcmu = mline.includes('0') || /^a=rtpmap:\d+ PCMU\/8000/im.test(offer);
  return pcmu ? ['pcmu'] : ['opus'];
}
