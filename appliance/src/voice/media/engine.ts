import type { StreamSodium } from '../recording/sodium.ts';
import { RecordingStreamWriter } from '../recording/stream.ts';
import { NoiseSuppressor } from './denoise.ts';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, ULAW_SILENCE, ulawToLinear } from './g711.ts';
import { type LegHooks, loadPrompt, RtpLeg } from './leg.ts';
import type { MediaLeg } from './leg-types.ts';
import { conferenceMatrix, Mixer, superviseMatrix } from './mixer.ts';
import { OpusTranscoder } from './opus-transcoder.ts';
import type { MediaCommand, MediaEvent } from './protocol.ts';
import { QualityMonitor } from './quality.ts';
import type { RtpPacket } from './rtp.ts';
import { WebRtcLeg } from './webrtc-leg.ts';

interface Playback {
  playId: string;
  data: Buffer;
  started: number;
  sent: number;
  loop: boolean;
  maxMs: number | undefined;
}

interface Capture {
  captureId: string;
  started: number;
  maxMs: number;
  silenceMs: number;
  noSpeechMs: number;
  frames: Buffer[];
  /** Audio received so far, in ms of media time (frames × their duration), not wall time. */
  heardMs: number;
  speechAt: number | undefined;
  lastVoice: number;
  /** Wall time of the last packet: a phone with silence suppression stops sending after speech. */
  lastPacketAt: number;
}

interface Recorder {
  writer: RecordingStreamWriter;
  epochMs: number;
  paused: boolean;
  anchor: { ssrc: number; ts: number; pos: number } | undefined;
}

interface LegState {
  leg: MediaLeg;
  peer: string | undefined;
  mix: Mixer | undefined;
  play: Playback | undefined;
  capture: Capture | undefined;
  rec: Recorder | undefined;
  /** Only on an Opus leg that talks to G.711 (bridge, prompts): decoder + encoder. */
  tx: OpusTranscoder | undefined;
  /** Noise suppression of what this G.711 leg receives, and the last packet it cleaned. */
  denoise: { ns: NoiseSuppressor; seq: number; payload: Buffer } | undefined;
  /** The last Opus packet decoded for the recorder, reused when forwarding it. */
  decoded: { seq: number; pcm: Int16Array; ts8: number } | undefined;
}

const VOICE_RMS = 400;
/** SSRCs stamped on mixed frames written to a recording: each mix a source of its own, anchored to the wall clock. */
const MIX_SSRC = 0x6d697800;

/** In a mix, the agent channel records what the customer hears (agent, plus a barging supervisor or a conference target). */
interface MixRecording {
  customer: string;
  agent: string;
  ts: number;
  /** A new one per mix: a mode switch restarts `ts`, and the recorder must re-anchor, not splice it back in time. */
  ssrc: number;
}

/** Everything the media worker does, independent of IPC so it can be driven in-process too. */
export class MediaEngine {
  #legs = new Map<string, LegState>();
  #emit: (e: MediaEvent) => void;
  #sodium: StreamSodium;
  #timer: NodeJS.Timeout;
  #quality: QualityMonitor;
  #adaptedAt = 0;
  #mixRec = new WeakMap<Mixer, MixRecording>();
  #mixCount = 0;

  constructor(
    emit: (e: MediaEvent) => void,
    sodium: StreamSodium,
    options: { mosThreshold?: number; qualityIntervalMs?: number } = {},
  ) {
    this.#emit = emit;
    this.#sodium = sodium;
    this.#quality = new QualityMonitor(emit, options);
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  #hooks(id: string): LegHooks {
    return {
      onDtmf: (digit) => this.#emit({ ev: 'dtmf', legId: id, digit }),
      onAudio: (pkt, at) => this.#onAudio(id, pkt, at),
      onForward: (pkt, isDtmf) => this.#forward(id, pkt, isDtmf),
    };
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
        return {};
      }
      case 'supervise': {
        const legs = { customer: cmd.customer, agent: cmd.agent, supervisor: cmd.supervisor };
        for (const id of Object.values(legs)) this.#dissolveMix(this.#get(id));
        if (cmd.mode === 'off') return {};
        this.#startMix(Object.values(legs), superviseMatrix(legs, cmd.mode), legs);
        return {};
      }
      case 'unmix': {
        this.#dissolveMix(this.#get(cmd.legId));
        return {};
      }
      case 'conference': {
        if (cmd.legs.length < 2) throw new RangeError('a conference needs two legs');
        for (const id of cmd.legs) this.#dissolveMix(this.#get(id));
        this.#startMix(cmd.legs, conferenceMatrix(cmd.legs), cmd.record);
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
        this.#finishPlay(cmd.a, a, false);
        this.#finishPlay(cmd.b, b, false);
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
        const s = this.#get(cmd.legId);
        this.#finishPlay(cmd.legId, s, false);
        s.play = {
          playId: cmd.playId,
          data: loadPrompt(cmd.file, encodeUlaw),
          started: performance.now(),
          sent: 0,
          loop: cmd.loop === true,
          maxMs: cmd.maxMs,
        };
        return {};
      }
      case 'stopPlay': {
        const s = this.#get(cmd.legId);
        this.#finishPlay(cmd.legId, s, false);
        return {};
      }
      case 'capture': {
        const s = this.#get(cmd.legId);
        const now = performance.now();
        s.capture = {
          ...cmd,
          started: now,
          frames: [],
          heardMs: 0,
          speechAt: undefined,
          lastVoice: 0,
          lastPacketAt: now,
        };
        return {};
      }
      case 'recordStart': {
        const s = this.#get(cmd.legId);
        if (s.rec) throw new Error('already recording');
        const writer = new RecordingStreamWriter(cmd.path, this.#sodium, {
          key: Buffer.from(cmd.key, 'base64'),
          header: {
            v: 1,
            callId: cmd.callId,
            leg: cmd.leg,
            codec: 'pcmu',
            rate: 8000,
            startedAt: new Date(cmd.epochMs).toISOString(),
          },
        });
        // performance.now() and Date.now() differ by a constant: keep the epoch on the monotonic clock.
        s.rec = {
          writer,
          epochMs: performance.now() - (Date.now() - cmd.epochMs),
          paused: false,
          anchor: undefined,
        };
        this.#emit({ ev: 'recording', legId: cmd.legId, state: 'started', chunks: 0 });
        return {};
      }
      case 'recordPause':
      case 'recordResume': {
        const s = this.#get(cmd.legId);
        if (!s.rec) throw new Error('not recording');
        s.rec.paused = cmd.op === 'recordPause';
        s.rec.writer.flush();
        this.#emit({
          ev: 'recording',
          legId: cmd.legId,
          state: s.rec.paused ? 'paused' : 'resumed',
          chunks: s.rec.writer.chunks,
        });
        return {};
      }
      case 'recordMove': {
        const from = this.#get(cmd.from);
        const to = this.#get(cmd.to);
        if (!from.rec) throw new Error(`leg ${cmd.from} is not recording`);
        if (to.rec) throw new Error(`leg ${cmd.to} is recording already`);
        to.rec = from.rec;
        from.rec = undefined;
        // The new leg's packets carry their own SSRC and timestamps: place them by the wall clock.
        to.rec.anchor = undefined;
        return {};
      }
      case 'recordStop': {
        const s = this.#get(cmd.legId);
        return this.#stopRecording(cmd.legId, s);
      }
      case 'stats': {
        const s = this.#get(cmd.legId);
        return { ...s.leg.snapshot(), ...(s.tx ? { transcoder: s.tx.stats() } : {}) };
      }
      case 'close': {
        const s = this.#legs.get(cmd.legId);
        if (!s) return {};
        this.#stopRecording(cmd.legId, s);
        this.#finishPlay(cmd.legId, s, false);
        s.mix?.remove(cmd.legId);
        this.#quality.forget(cmd.legId);
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

  #startMix(ids: string[], hears: Map<string, string[]>, record?: { customer: string; agent: string }): void {
    const states = ids.map((id) => this.#get(id));
    const mix = new Mixer(hears);
    if (record)
      this.#mixRec.set(mix, {
        customer: record.customer,
        agent: record.agent,
        ts: 0,
        ssrc: (MIX_SSRC + (this.#mixCount++ & 0xff)) >>> 0,
      });
    for (const [i, s] of states.entries()) {
      // A browser on Opus is decoded into the mix and hears its mix encoded again.
      if (s.leg.codec === 'opus') s.tx ??= new OpusTranscoder();
      s.mix = mix;
      this.#finishPlay(ids[i] ?? '', s, false);
    }
  }

  #dissolveMix(s: LegState): void {
    const mix = s.mix;
    if (!mix) return;
    for (const id of mix.legIds) {
      const other = this.#legs.get(id);
      if (other?.mix === mix) other.mix = undefined;
    }
  }

  #stopRecording(legId: string, s: LegState): { chunks: number } {
    if (!s.rec) return { chunks: 0 };
    s.rec.writer.finish();
    const chunks = s.rec.writer.chunks;
    s.rec = undefined;
    this.#emit({ ev: 'recording', legId, state: 'stopped', chunks });
    return { chunks };
  }

  #get(legId: string): LegState {
    const s = this.#legs.get(legId);
    if (!s) throw new Error(`no leg ${legId}`);
    return s;
  }

  #finishPlay(legId: string, s: LegState, completed: boolean): void {
    if (!s.play) return;
    const playId = s.play.playId;
    s.play = undefined;
    this.#emit({ ev: 'played', legId, playId, completed });
  }

  /**
   * Cleans one received G.711 packet (kept for the forward that follows it);
   * returns the cleaned audio as μ-law for capture and mixing.
   */
  #clean(d: NonNullable<LegState['denoise']>, pkt: RtpPacket, ulaw: Buffer): Buffer {
    const pcm = d.ns.process(decodeUlaw(ulaw));
    d.seq = pkt.sequence;
    d.payload = pkt.payloadType === 8 ? encodeAlaw(pcm) : encodeUlaw(pcm);
    return pkt.payloadType === 8 ? encodeUlaw(pcm) : d.payload;
  }

  #forward(from: string, received: RtpPacket, isDtmf: boolean): void {
    const s = this.#legs.get(from);
    const peer = s?.peer ? this.#legs.get(s.peer) : undefined;
    if (!s) return;
    const d = s.denoise;
    const pkt = d && !isDtmf && d.seq === received.sequence ? { ...received, payload: d.payload } : received;
    if (s.mix && !isDtmf) {
      if (s.leg.codec !== 'opus')
        s.mix.push(from, pkt.payloadType === 8 ? decodeAlaw(pkt.payload) : decodeUlaw(pkt.payload));
      else {
        const d = s.decoded?.seq === pkt.sequence ? s.decoded : this.#decodeOpus(s, pkt);
        if (d && d.pcm.length > 0) s.mix.push(from, d.pcm);
      }
      return;
    }
    if (!peer) return;
    if (!isDtmf && (s.leg.codec === 'opus') !== (peer.leg.codec === 'opus')) {
      this.#forwardTranscoded(s, peer, pkt);
      return;
    }
    if (isDtmf) {
      // werift stamps its negotiated audio payload type on everything it sends, so DTMF stays off WebRTC legs.
      if (peer.leg.kind === 'rtp') peer.leg.relay(pkt, peer.leg.dtmfPayloadType, pkt.payload);
      return;
    }
    if (peer.leg.codec === 'opus') {
      peer.leg.relay(pkt, peer.leg.payloadType, pkt.payload);
      return;
    }
    const inPt = pkt.payloadType;
    if (inPt === peer.leg.payloadType) peer.leg.relay(pkt, inPt, pkt.payload);
    else peer.leg.relay(pkt, peer.leg.payloadType, transcode(pkt.payload, inPt));
  }

  #forwardTranscoded(s: LegState, peer: LegState, pkt: RtpPacket): void {
    if (s.leg.codec === 'opus') {
      const d = s.decoded?.seq === pkt.sequence ? s.decoded : this.#decodeOpus(s, pkt);
      if (!d || d.pcm.length === 0) return;
      const payload = peer.leg.codec === 'pcma' ? encodeAlaw(d.pcm) : encodeUlaw(d.pcm);
      peer.leg.relay({ ...pkt, timestamp: d.ts8 }, peer.leg.payloadType, payload);
      return;
    }
    const tx = peer.tx;
    if (!tx) return;
    const pcm = pkt.payloadType === 8 ? decodeAlaw(pkt.payload) : decodeUlaw(pkt.payload);
    const ts = tx.wideTs(pkt.timestamp);
    for (const [i, opus] of tx.encode(pcm).entries())
      peer.leg.relay({ ...pkt, timestamp: (ts + i * 960) >>> 0 }, peer.leg.payloadType, opus);
  }

  #decodeOpus(s: LegState, pkt: RtpPacket): LegState['decoded'] {
    if (!s.tx) return undefined;
    s.decoded = { seq: pkt.sequence, pcm: s.tx.decode(pkt.payload), ts8: s.tx.narrowTs(pkt.timestamp) };
    return s.decoded;
  }

  /** A locally generated 20 ms μ-law frame (prompt, hold music) to any leg; Opus legs get it encoded. */
  #sendFrame(s: LegState, ulaw: Buffer, marker: boolean): void {
    if (s.leg.codec !== 'opus') {
      s.leg.sendFrame(ulaw, marker);
      return;
    }
    s.tx ??= new OpusTranscoder();
    for (const opus of s.tx.encode(decodeUlaw(ulaw))) s.leg.sendFrame(opus, marker);
  }

  #onAudio(legId: string, pkt: RtpPacket, at: number): void {
    const s = this.#legs.get(legId);
    if (!s) return;
    let ulaw: Buffer;
    let recPkt = pkt;
    if (s.leg.codec === 'opus') {
      // Opus is decoded only where a transcoder exists (bridged to G.711): browser↔browser stays untouched.
      const d = this.#decodeOpus(s, pkt);
      if (!d || d.pcm.length === 0) return;
      ulaw = encodeUlaw(d.pcm);
      recPkt = { ...pkt, timestamp: d.ts8 };
    } else if (pkt.payloadType === 0) ulaw = pkt.payload;
    else if (pkt.payloadType === 8) ulaw = encodeUlaw(decodeAlaw(pkt.payload));
    else return;
    // While mixed, the agent channel is written from the customer's mix instead (see #tick).
    const mixRec = s.mix ? this.#mixRec.get(s.mix) : undefined;
    if (s.rec && !s.rec.paused && mixRec?.agent !== legId) this.#record(s.rec, recPkt, ulaw, at);
    if (s.denoise) ulaw = this.#clean(s.denoise, pkt, ulaw);
    if (s.capture) {
      s.capture.lastPacketAt = at;
      this.#captureFrame(legId, s, ulaw);
    }
  }

  /** What the customer hears from the mix, written to the agent channel on its own running timestamp. */
  #recordMix(r: MixRecording, pcm: Int16Array, now: number): void {
    const rec = this.#legs.get(r.agent)?.rec;
    r.ts = (r.ts + pcm.length) >>> 0;
    if (!rec || rec.paused) return;
    const payload = encodeUlaw(pcm);
    const pkt: RtpPacket = {
      payloadType: 0,
      marker: false,
      sequence: 0,
      timestamp: r.ts,
      ssrc: r.ssrc,
      payload,
    };
    this.#record(rec, pkt, payload, now);
  }

  #record(rec: Recorder, pkt: RtpPacket, ulaw: Buffer, at: number): void {
    const wallPos = Math.max(0, Math.round((at - rec.epochMs) * 8));
    let pos = rec.anchor ? rec.anchor.pos + ((pkt.timestamp - rec.anchor.ts) | 0) : wallPos;
    // New source, a timestamp jump or drift beyond a second: re-anchor to the wall clock.
    if (!rec.anchor || rec.anchor.ssrc !== pkt.ssrc || Math.abs(pos - wallPos) > 8000) {
      rec.anchor = { ssrc: pkt.ssrc, ts: pkt.timestamp, pos: wallPos };
      pos = wallPos;
    }
    rec.writer.append(pos, ulaw);
  }

  /**
   * End-of-speech is measured in media time: a caller's packets that arrive in
   * a burst after a network or scheduling stall are still the same audio, and
   * wall-clock gaps between them are not pauses in what the caller said.
   */
  #captureFrame(legId: string, s: LegState, ulaw: Buffer): void {
    const c = s.capture;
    if (!c) return;
    c.frames.push(ulaw);
    c.heardMs += ulaw.length / 8;
    const at = c.heardMs;
    if (rms(ulaw) > VOICE_RMS) {
      c.speechAt ??= at;
      c.lastVoice = at;
    } else if (c.speechAt === undefined && c.frames.length > 15) c.frames.shift();
    if (c.speechAt !== undefined && at - c.lastVoice > c.silenceMs) this.#endCapture(legId, s);
  }

  #endCapture(legId: string, s: LegState): void {
    const c = s.capture;
    if (!c) return;
    s.capture = undefined;
    const speech = c.speechAt !== undefined;
    this.#emit({
      ev: 'captured',
      legId,
      captureId: c.captureId,
      ulaw: speech ? Buffer.concat(c.frames).toString('base64') : '',
      speech,
    });
  }

  #tick(): void {
    const now = performance.now();
    const mixes = new Set<Mixer>();
    for (const s of this.#legs.values()) if (s.mix) mixes.add(s.mix);
    for (const mix of mixes)
      mix.tick(now, (legId, pcm) => {
        const s = this.#legs.get(legId);
        if (!s) return;
        const r = this.#mixRec.get(mix);
        if (r && legId === r.customer) this.#recordMix(r, pcm, now);
        if (s.leg.codec === 'opus' && s.tx) for (const opus of s.tx.encode(pcm)) s.leg.sendFrame(opus);
        else s.leg.sendFrame(s.leg.codec === 'pcma' ? encodeAlaw(pcm) : encodeUlaw(pcm));
      });
    this.#quality.check(now, this.#legs);
    if (now - this.#adaptedAt >= 1000) {
      this.#adaptedAt = now;
      // The far end's RTCP receiver reports say how much of what we encode is lost.
      for (const s of this.#legs.values()) if (s.tx) s.tx.adapt(s.leg.snapshot().remoteLossPct);
    }
    for (const [id, s] of this.#legs) {
      const c = s.capture;
      const quiet = c?.speechAt !== undefined && now - c.lastPacketAt > Math.max(2 * c.silenceMs, 1500);
      if (
        c &&
        (quiet || now - c.started > c.maxMs || (c.speechAt === undefined && now - c.started > c.noSpeechMs))
      ) {
        this.#endCapture(id, s);
      }
      const p = s.play;
      if (!p) continue;
      const due = Math.floor((now - p.started) / 20) + 1;
      // After a stall (GC, load) send at most 3 frames at once rather than a burst.
      for (let n = 0; p.sent < due && n < 3; n++) {
        const off = p.loop ? (p.sent * 160) % p.data.length : p.sent * 160;
        if (
          p.data.length === 0 ||
          off >= p.data.length ||
          (p.maxMs !== undefined && p.sent * 20 >= p.maxMs)
        ) {
          this.#finishPlay(id, s, true);
          break;
        }
        let frame = p.data.subarray(off, off + 160);
        if (frame.length < 160)
          frame = Buffer.concat([frame, Buffer.alloc(160 - frame.length, ULAW_SILENCE)]);
        this.#sendFrame(s, frame, p.sent === 0);
        p.sent++;
      }
      if (s.play && due - p.sent > 3) p.started = now - p.sent * 20;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const id of [...this.#legs.keys()]) void this.handle({ op: 'close', legId: id });
  }
}

function transcode(payload: Buffer, fromPt: number): Buffer {
  return fromPt === 8 ? encodeUlaw(decodeAlaw(payload)) : encodeAlaw(decodeUlaw(payload));
}

function rms(ulaw: Buffer): number {
  let sum = 0;
  for (const b of ulaw) {
    const v = ulawToLinear(b);
    sum += v * v;
  }
  return Math.sqrt(sum / Math.max(1, ulaw.length));
}
