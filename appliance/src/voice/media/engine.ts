import type { StreamSodium } from '../recording/sodium.ts';
import { RecordingStreamWriter } from '../recording/stream.ts';
import { decodeAlaw, decodeUlaw, encodeUlaw, ULAW_SILENCE, ulawToLinear } from './g711.ts';
import { loadPrompt, RtpLeg } from './leg.ts';
import type { MediaCommand, MediaEvent } from './protocol.ts';
import type { RtpPacket } from './rtp.ts';

interface Playback {
  playId: string;
  data: Buffer;
  started: number;
  sent: number;
}

interface Capture {
  captureId: string;
  started: number;
  maxMs: number;
  silenceMs: number;
  noSpeechMs: number;
  frames: Buffer[];
  speechAt: number | undefined;
  lastVoice: number;
}

interface Recorder {
  writer: RecordingStreamWriter;
  epochMs: number;
  paused: boolean;
  anchor: { ssrc: number; ts: number; pos: number } | undefined;
}

interface LegState {
  leg: RtpLeg;
  peer: string | undefined;
  play: Playback | undefined;
  capture: Capture | undefined;
  rec: Recorder | undefined;
}

const VOICE_RMS = 400;

/** Everything the media worker does, independent of IPC so it can be driven in-process too. */
export class MediaEngine {
  #legs = new Map<string, LegState>();
  #emit: (e: MediaEvent) => void;
  #sodium: StreamSodium;
  #timer: NodeJS.Timeout;

  constructor(emit: (e: MediaEvent) => void, sodium: StreamSodium) {
    this.#emit = emit;
    this.#sodium = sodium;
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  async handle(cmd: MediaCommand): Promise<unknown> {
    switch (cmd.op) {
      case 'ping':
        return { legs: this.#legs.size };
      case 'open': {
        if (this.#legs.has(cmd.legId)) throw new Error(`leg ${cmd.legId} exists`);
        const id = cmd.legId;
        const leg = await RtpLeg.open(
          id,
          {
            onDtmf: (digit) => this.#emit({ ev: 'dtmf', legId: id, digit }),
            onAudio: (pkt, at) => this.#onAudio(id, pkt, at),
            onForward: (pkt, isDtmf) => this.#forward(id, pkt, isDtmf),
          },
          {
            codec: cmd.codec,
            dtmfPayloadType: cmd.dtmfPayloadType,
            bind: cmd.bind,
            ...(cmd.remote ? { remote: cmd.remote } : {}),
          },
        );
        this.#legs.set(id, { leg, peer: undefined, play: undefined, capture: undefined, rec: undefined });
        return { port: leg.port };
      }
      case 'update': {
        const s = this.#get(cmd.legId);
        s.leg.remote = cmd.remote;
        if (cmd.codec) s.leg.codec = cmd.codec;
        if (cmd.dtmfPayloadType !== undefined) s.leg.dtmfPayloadType = cmd.dtmfPayloadType;
        return {};
      }
      case 'bridge': {
        const a = this.#get(cmd.a);
        const b = this.#get(cmd.b);
        a.peer = cmd.b;
        b.peer = cmd.a;
        a.play = undefined;
        b.play = undefined;
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
        s.capture = { ...cmd, started: now, frames: [], speechAt: undefined, lastVoice: now };
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
      case 'recordStop': {
        const s = this.#get(cmd.legId);
        return this.#stopRecording(cmd.legId, s);
      }
      case 'stats':
        return this.#get(cmd.legId).leg.stats.snapshot();
      case 'close': {
        const s = this.#legs.get(cmd.legId);
        if (!s) return {};
        this.#stopRecording(cmd.legId, s);
        this.#finishPlay(cmd.legId, s, false);
        if (s.peer) {
          const p = this.#legs.get(s.peer);
          if (p) p.peer = undefined;
        }
        const stats = s.leg.stats.snapshot();
        s.leg.close();
        this.#legs.delete(cmd.legId);
        return stats;
      }
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

  #forward(from: string, pkt: RtpPacket, isDtmf: boolean): void {
    const s = this.#legs.get(from);
    const peer = s?.peer ? this.#legs.get(s.peer) : undefined;
    if (!s || !peer) return;
    if (isDtmf) {
      peer.leg.relay(pkt, peer.leg.dtmfPayloadType, pkt.payload);
      return;
    }
    const inPt = pkt.payloadType;
    if (inPt === peer.leg.payloadType) peer.leg.relay(pkt, inPt, pkt.payload);
    else peer.leg.relay(pkt, peer.leg.payloadType, transcode(pkt.payload, inPt));
  }

  #onAudio(legId: string, pkt: RtpPacket, at: number): void {
    const s = this.#legs.get(legId);
    if (!s) return;
    const ulaw = pkt.payloadType === 0 ? pkt.payload : encodeUlaw(decodeAlaw(pkt.payload));
    if (s.rec && !s.rec.paused) this.#record(s.rec, pkt, ulaw, at);
    if (s.capture) this.#captureFrame(legId, s, ulaw, at);
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

  #captureFrame(legId: string, s: LegState, ulaw: Buffer, at: number): void {
    const c = s.capture;
    if (!c) return;
    c.frames.push(ulaw);
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
    for (const [id, s] of this.#legs) {
      const c = s.capture;
      if (c && (now - c.started > c.maxMs || (c.speechAt === undefined && now - c.started > c.noSpeechMs))) {
        this.#endCapture(id, s);
      }
      const p = s.play;
      if (!p) continue;
      const due = Math.floor((now - p.started) / 20) + 1;
      // After a stall (GC, load) send at most 3 frames at once rather than a burst.
      for (let n = 0; p.sent < due && n < 3; n++) {
        const off = p.sent * 160;
        if (off >= p.data.length) {
          this.#finishPlay(id, s, true);
          break;
        }
        let frame = p.data.subarray(off, off + 160);
        if (frame.length < 160)
          frame = Buffer.concat([frame, Buffer.alloc(160 - frame.length, ULAW_SILENCE)]);
        s.leg.sendFrame(frame, p.sent === 0);
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
  return fromPt === 8 ? encodeUlaw(decodeAlaw(payload)) : alawFromUlaw(payload);
}

function alawFromUlaw(payload: Buffer): Buffer {
  const pcm = decodeUlaw(payload);
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToAlaw(pcm[i] ?? 0);
  return out;
}

function linearToAlaw(sample: number): number {
  let s = sample;
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  if (s > 32767) s = 32767;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = exp === 0 ? (s >> 4) & 0x0f : (s >> (exp + 3)) & 0x0f;
  return ((sign | (exp << 4) | mant) ^ 0x55) & 0xff;
}

function rms(ulaw: Buffer): number {
  let sum = 0;
  for (const b of ulaw) {
    const v = ulawToLinear(b);
    sum += v * v;
  }
  return Math.sqrt(sum / Math.max(1, ulaw.length));
}
