import type { StreamSodium } from '../recording/sodium.ts';
import { SpeechCapture } from './capture.ts';
import { NoiseSuppressor } from './denoise.ts';
import { clean, decodeOpus, Forwarder } from './forwarding.ts';
import { decodeAlaw, encodeUlaw } from './g711.ts';
import { type LegHooks, RtpLeg } from './leg.ts';
import { type LegState, legOf } from './leg-state.ts';
import type { MediaLeg } from './leg-types.ts';
import { conferenceMatrix, superviseMatrix } from './mixer.ts';
import { Mixing } from './mixing.ts';
import { OpusTranscoder } from './opus-transcoder.ts';
import { PromptPlayer } from './playback.ts';
import type { LegSrtp, MediaCommand, MediaEvent } from './protocol.ts';
import { QualityMonitor } from './quality.ts';
import { LegRecorder, record } from './recorder.ts';
import type { RtpPacket } from './rtp.ts';
import { WebRtcLeg } from './webrtc-leg.ts';

/** Everything the media worker does, independent of IPC so it can be driven in-process too. */
export class MediaEngine {
  #legs = new Map<string, LegState>();
  #emit: (e: MediaEvent) => void;
  #timer: NodeJS.Timeout;
  #quality: QualityMonitor;
  #adaptedAt = 0;
  #player: PromptPlayer;
  #capture: SpeechCapture;
  #recorder: LegRecorder;
  #mixing: Mixing;
  #forwarder: Forwarder;

  constructor(
    emit: (e: MediaEvent) => void,
    sodium: StreamSodium,
    options: { mosThreshold?: number; qualityIntervalMs?: number } = {},
  ) {
    this.#emit = emit;
    this.#player = new PromptPlayer(emit);
    this.#capture = new SpeechCapture(emit);
    this.#recorder = new LegRecorder(emit, sodium);
    this.#mixing = new Mixing(this.#legs, this.#player);
    this.#forwarder = new Forwarder(this.#legs);
    this.#quality = new QualityMonitor(emit, options);
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  #hooks(id: string): LegHooks {
    return {
      onDtmf: (digit) => this.#emit({ ev: 'dtmf', legId: id, digit }),
      onAudio: (pkt, at) => this.#onAudio(id, pkt, at),
      onForward: (pkt, isDtmf) => this.#forwarder.forward(id, pkt, isDtmf),
      onSrtpRefused: (total) => {
        // One event when a leg crosses its threshold (not one per forged packet).
        if (total !== (this.#srtpAlarmAt.get(id) ?? 50)) return;
        const leg = this.#legs.get(id)?.leg;
        const srtp = leg?.snapshot().srtp;
        if (srtp)
          this.#emit({ ev: 'srtp', legId: id, authFailures: srtp.authFailures, replays: srtp.replays });
      },
    };
  }

  /** Per leg: the SRTP auth-failure + replay count that raises the alarm. */
  #srtpAlarmAt = new Map<string, number>();

  #keySrtp(leg: RtpLeg, id: string, srtp: LegSrtp | null | undefined): void {
    if (srtp === undefined) return;
    leg.setSrtp(srtp ?? undefined);
    if (srtp?.alarmAfter !== undefined) this.#srtpAlarmAt.set(id, srtp.alarmAfter);
  }

  #add(id: string, leg: MediaLeg): void {
    this.#legs.set(id, {
      leg,
      peer: undefined,
      mix: undefined,
      play: undefined,
      capture: undefined,
      rec: undefined,
      tx: undefined,
      decoded: undefined,
      denoise: undefined,
    });
  }

  async handle(cmd: MediaCommand): Promise<unknown> {
    switch (cmd.op) {
      case 'ping':
        return { legs: this.#legs.size };
      case 'open': {
        if (this.#legs.has(cmd.legId)) throw new Error(`leg ${cmd.legId} exists`);
        const id = cmd.legId;
        if (cmd.kind === 'webrtc') {
          const { leg, answer } = await WebRtcLeg.open(id, this.#hooks(id), {
            offer: cmd.offer,
            codecs: cmd.codecs,
            hosts: cmd.hosts,
            ...(cmd.portRange ? { portRange: cmd.portRange } : {}),
            onState: (state) => this.#emit({ ev: 'connection', legId: id, state }),
          });
          this.#add(id, leg);
          return { sdp: answer, codec: leg.codec };
        }
        const leg = await RtpLeg.open(id, this.#hooks(id), {
          codec: cmd.codec,
          dtmfPayloadType: cmd.dtmfPayloadType,
          bind: cmd.bind,
          ...(cmd.remote ? { remote: cmd.remote } : {}),
        });
        this.#keySrtp(leg, id, cmd.srtp);
        this.#add(id, leg);
        if (cmd.denoise) {
          const s = this.#get(id);
          s.denoise = { ns: new NoiseSuppressor(), seq: -1, payload: Buffer.alloc(0) };
        }
        return { port: leg.port };
      }
      case 'update': {
        const leg = this.#get(cmd.legId).leg;
        if (!(leg instanceof RtpLeg)) throw new Error(`leg ${cmd.legId} is not an RTP leg`);
        leg.remote = cmd.remote;
        leg.relatch();
        if (cmd.codec) leg.codec = cmd.codec;
        if (cmd.dtmfPayloadType !== undefined) leg.dtmfPayloadType = cmd.dtmfPayloadType;
        this.#keySrtp(leg, cmd.legId, cmd.srtp);
        return {};
      }
      case 'supervise': {
        const legs = { customer: cmd.customer, agent: cmd.agent, supervisor: cmd.supervisor };
        for (const id of Object.values(legs)) this.#mixing.dissolve(this.#get(id));
        if (cmd.mode === 'off') return {};
        this.#mixing.start(Object.values(legs), superviseMatrix(legs, cmd.mode), legs);
        return {};
      }
      case 'unmix': {
        this.#mixing.dissolve(this.#get(cmd.legId));
        return {};
      }
      case 'conference': {
        if (cmd.legs.length < 2) throw new RangeError('a conference needs two legs');
        for (const id of cmd.legs) this.#mixing.dissolve(this.#get(id));
        this.#mixing.start(cmd.legs, conferenceMatrix(cmd.legs), cmd.record);
        return {};
      }
      case 'bridge': {
        const a = this.#get(cmd.a);
        const b = this.#get(cmd.b);
        // Transcode only when it cannot be avoided: an Opus-only browser bridged to a G.711 leg.
        if ((a.leg.codec === 'opus') !== (b.leg.codec === 'opus')) {
          const opus = a.leg.codec === 'opus' ? a : b;
          opus.tx ??= new OpusTranscoder();
        }
        a.peer = cmd.b;
        b.peer = cmd.a;
        // Announce the end: whoever waits on the prompt (queue music, IVR) must wake up.
        this.#player.finish(cmd.a, a, false);
        this.#player.finish(cmd.b, b, false);
        return {};
      }
      case 'unbridge': {
        const s = this.#get(cmd.legId);
        const peer = s.peer ? this.#legs.get(s.peer) : undefined;
        if (peer) peer.peer = undefined;
        s.peer = undefined;
        return {};
      }
      case 'play': {
        this.#player.start(this.#get(cmd.legId), cmd);
        return {};
      }
      case 'stopPlay': {
        const s = this.#get(cmd.legId);
        this.#player.finish(cmd.legId, s, false);
        return {};
      }
      case 'capture': {
        this.#capture.start(this.#get(cmd.legId), cmd);
        return {};
      }
      case 'recordStart': {
        this.#recorder.start(this.#get(cmd.legId), cmd);
        return {};
      }
      case 'recordPause':
      case 'recordResume': {
        this.#recorder.pause(this.#get(cmd.legId), cmd);
        return {};
      }
      case 'recordMove': {
        const from = this.#get(cmd.from);
        const to = this.#get(cmd.to);
        this.#recorder.move(from, to, cmd);
        return {};
      }
      case 'recordStop': {
        const s = this.#get(cmd.legId);
        return this.#recorder.stop(cmd.legId, s);
      }
      case 'stats': {
        const s = this.#get(cmd.legId);
        return { ...s.leg.snapshot(), ...(s.tx ? { transcoder: s.tx.stats() } : {}) };
      }
      case 'close': {
        const s = this.#legs.get(cmd.legId);
        if (!s) return {};
        this.#recorder.stop(cmd.legId, s);
        this.#player.finish(cmd.legId, s, false);
        s.mix?.remove(cmd.legId);
        this.#quality.forget(cmd.legId);
        this.#srtpAlarmAt.delete(cmd.legId);
        if (s.peer) {
          const p = this.#legs.get(s.peer);
          if (p) p.peer = undefined;
        }
        const stats = s.leg.snapshot();
        s.tx?.close();
        s.leg.close();
        this.#legs.delete(cmd.legId);
        return stats;
      }
    }
  }

  #get(legId: string): LegState {
    return legOf(this.#legs, legId);
  }

  #onAudio(legId: string, pkt: RtpPacket, at: number): void {
    const s = this.#legs.get(legId);
    if (!s) return;
    let ulaw: Buffer;
    let recPkt = pkt;
    if (s.leg.codec === 'opus') {
      // Opus is decoded only where a transcoder exists (bridged to G.711): browser↔browser stays untouched.
      const d = decodeOpus(s, pkt);
      if (!d || d.pcm.length === 0) return;
      ulaw = encodeUlaw(d.pcm);
      recPkt = { ...pkt, timestamp: d.ts8 };
    } else if (pkt.payloadType === 0) ulaw = pkt.payload;
    else if (pkt.payloadType === 8) ulaw = encodeUlaw(decodeAlaw(pkt.payload));
    else return;
    // While mixed, the agent channel is written from the customer's mix instead (see Mixing.tick).
    const mixRec = s.mix ? this.#mixing.recordingOf(s.mix) : undefined;
    if (s.rec && !s.rec.paused && mixRec?.agent !== legId) record(s.rec, recPkt, ulaw, at);
    if (s.denoise) ulaw = clean(s.denoise, pkt, ulaw);
    if (s.capture) {
      s.capture.lastPacketAt = at;
      this.#capture.frame(legId, s, ulaw);
    }
  }

  #tick(): void {
    const now = performance.now();
    this.#mixing.tick(now);
    this.#quality.check(now, this.#legs);
    if (now - this.#adaptedAt >= 1000) {
      this.#adaptedAt = now;
      // The far end's RTCP receiver reports say how much of what we encode is lost.
      for (const s of this.#legs.values()) if (s.tx) s.tx.adapt(s.leg.snapshot().remoteLossPct);
    }
    for (const [id, s] of this.#legs) {
      this.#capture.tick(id, s, now);
      this.#player.tick(id, s, now);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const id of [...this.#legs.keys()]) void this.handle({ op: 'close', legId: id });
  }
}
