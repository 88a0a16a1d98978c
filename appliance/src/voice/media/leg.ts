import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { ULAW_SILENCE } from './g711.ts';
import type { MediaLeg } from './leg-types.ts';
import type { Codec, Endpoint, LegSrtp } from './protocol.ts';
import { buildRtp, eventToDigit, parseRtp, parseTelephoneEvent, type RtpPacket } from './rtp.ts';
import { looksLikeRtcp, SrtpContext } from './srtp.ts';
import { type LegStats, ReceiveStats } from './stats.ts';
import { readWav } from './wav.ts';

export interface LegHooks {
  onDtmf(digit: string): void;
  onAudio(pkt: RtpPacket, arrivalMs: number): void;
  /** A packet to forward to the bridged peer (audio or telephone-event). */
  onForward(pkt: RtpPacket, isDtmf: boolean): void;
  /** SRTP refused a packet; `total` counts auth failures and replays on this leg. */
  onSrtpRefused?(total: number): void;
}

/** A plain RTP endpoint for a SIP leg: one UDP socket, outbound sequence/timestamp/SSRC state. */
export class RtpLeg implements MediaLeg {
  readonly id: string;
  readonly kind = 'rtp' as const;
  codec: Codec;
  dtmfPayloadType: number;
  remote: Endpoint | undefined;
  readonly stats = new ReceiveStats();
  #socket: Socket;
  #hooks: LegHooks;
  #outSsrc = (Math.random() * 0xffffffff) >>> 0;
  #outSeq = Math.floor(Math.random() * 0xffff);
  #outTs = Math.floor(Math.random() * 0xffffffff);
  #srcSsrc: number | undefined;
  #tsOffset = 0;
  #lastDtmfTs: number | undefined;
  #closed = false;
  /** The address media is taken from (strict RTP): see #admit. */
  #source: string | undefined;
  #sourceAt = 0;
  /** Packets refused because they came from another address than the latched source. */
  foreignDropped = 0;
  #srtp: { tx: SrtpContext; rx: SrtpContext | undefined } | undefined;
  #srtpRefused = { authFailures: 0, replays: 0 };

  private constructor(
    id: string,
    socket: Socket,
    hooks: LegHooks,
    opts: { codec: Codec; dtmfPayloadType: number },
  ) {
    this.id = id;
    this.#socket = socket;
    this.#hooks = hooks;
    this.codec = opts.codec;
    this.dtmfPayloadType = opts.dtmfPayloadType;
    socket.on('message', (msg, from) => {
      // SRTP: authenticate before the source may latch, so forged packets cannot steer strict RTP.
      const clear = this.#srtp ? this.#unprotect(msg) : msg;
      if (clear && this.#admit(from.address, from.port)) this.#receive(clear);
    });
    socket.on('error', () => undefined);
  }

  static open(
    id: string,
    hooks: LegHooks,
    opts: { codec: Codec; dtmfPayloadType: number; bind: string; remote?: Endpoint },
  ): Promise<RtpLeg> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, opts.bind, () => {
        socket.off('error', reject);
        const leg = new RtpLeg(id, socket, hooks, opts);
        leg.remote = opts.remote;
        resolve(leg);
      });
    });
  }

  /** Keys the leg for SRTP (or back to plain RTP with `undefined`); receive state starts afresh. */
  setSrtp(s: LegSrtp | undefined): void {
    this.#srtp = s
      ? { tx: new SrtpContext(s.send), rx: s.recv ? new SrtpContext(s.recv) : undefined }
      : undefined;
  }

  get srtpSuite(): string | undefined {
    return this.#srtp?.tx.suite;
  }

  #unprotect(msg: Buffer): Buffer | undefined {
    const s = this.#srtp;
    // SRTCP (rtcp-mux) is not used on these legs; a leg still waiting for the answer's key drops.
    if (!s?.rx || looksLikeRtcp(msg)) return undefined;
    const r = s.rx.unprotect(msg);
    if (r.ok) return r.packet;
    if (r.reason === 'replay') this.#srtpRefused.replays++;
    else this.#srtpRefused.authFailures++;
    this.#hooks.onSrtpRefused?.(this.#srtpRefused.authFailures + this.#srtpRefused.replays);
    return undefined;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  get payloadType(): number {
    return this.codec === 'pcmu' ? 0 : 8;
  }

  snapshot(): LegStats {
    const s = this.stats.snapshot();
    return this.#srtp ? { ...s, srtp: { suite: this.#srtp.tx.suite, ...this.#srtpRefused } } : s;
  }

  intervalLossPct(): number {
    return this.stats.intervalLossPct();
  }

  /**
   * Strict RTP, as Asterisk's strictrtp and rtpengine do: media is taken from
   * one source only. The address the SDP names always wins; otherwise the first
   * source is latched (a phone behind NAT sends from elsewhere), and another
   * source takes over only after two seconds of silence from the latched one.
   * A stale stream still aimed at a recycled port — or an injection attempt —
   * cannot mix itself into the call.
   */
  #admit(host: string, port: number): boolean {
    const key = `${host}:${port}`;
    const now = performance.now();
    const named = this.remote?.host === host && this.remote.port === port;
    if (named || this.#source === undefined || this.#source === key || now - this.#sourceAt > 2000) {
      this.#source = key;
      this.#sourceAt = now;
      return true;
    }
    this.foreignDropped++;
    return false;
  }

  /** The far end moved (re-INVITE, transfer): learn its source afresh. */
  relatch(): void {
    this.#source = undefined;
  }

  #receive(msg: Buffer): void {
    const pkt = parseRtp(msg);
    if (!pkt) return;
    const now = performance.now();
    if (pkt.payloadType === this.dtmfPayloadType) {
      this.stats.onPacket(pkt.sequence, pkt.timestamp, now, msg.length, { timing: false, ssrc: pkt.ssrc });
      const ev = parseTelephoneEvent(pkt.payload);
      if (ev?.end && pkt.timestamp !== this.#lastDtmfTs) {
        this.#lastDtmfTs = pkt.timestamp;
        const digit = eventToDigit(ev.event);
        if (digit) this.#hooks.onDtmf(digit);
      }
      this.#hooks.onForward(pkt, true);
      return;
    }
    if (pkt.payloadType !== 0 && pkt.payloadType !== 8) return;
    this.stats.onPacket(pkt.sequence, pkt.timestamp, now, msg.length, { ssrc: pkt.ssrc });
    this.#hooks.onAudio(pkt, now);
    this.#hooks.onForward(pkt, false);
  }

  /** Sends a packet from another source on this leg, rewriting SSRC/sequence/timestamp so the far end sees one stream. */
  relay(pkt: RtpPacket, payloadType: number, payload: Buffer): void {
    if (pkt.ssrc !== this.#srcSsrc) {
      this.#srcSsrc = pkt.ssrc;
      this.#tsOffset = (this.#outTs + 160 - pkt.timestamp) >>> 0;
    }
    const ts = (pkt.timestamp + this.#tsOffset) >>> 0;
    this.#outTs = ts;
    this.#send({
      payloadType,
      marker: pkt.marker,
      sequence: this.#outSeq++,
      timestamp: ts,
      ssrc: this.#outSsrc,
      payload,
    });
  }

  /** Sends one locally generated 20 ms frame (prompt playback). */
  sendFrame(payload: Buffer, marker = false): void {
    this.#srcSsrc = undefined;
    this.#outTs = (this.#outTs + payload.length) >>> 0;
    this.#send({
      payloadType: this.payloadType,
      marker,
      sequence: this.#outSeq++,
      timestamp: this.#outTs,
      ssrc: this.#outSsrc,
      payload,
    });
  }

  #send(p: RtpPacket): void {
    if (this.#closed || !this.remote) return;
    this.#outSeq &= 0xffff;
    this.stats.packetsOut++;
    const rtp = buildRtp(p);
    this.#socket.send(this.#srtp ? this.#srtp.tx.protect(rtp) : rtp, this.remote.port, this.remote.host);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

/** Loads a prompt as μ-law bytes (raw .ul or a μ-law / 8 kHz PCM WAV). */
export function loadPrompt(file: string, encode: (pcm: Int16Array) => Buffer): Buffer {
  const buf = readFileSync(file);
  if (!file.endsWith('.wav')) return buf;
  const wav = readWav(buf);
  if (wav.format === 'ulaw') return wav.data;
  if (wav.format === 'pcm16' && wav.sampleRate === 8000 && wav.channels === 1) {
    return encode(
      new Int16Array(wav.data.buffer.slice(wav.data.byteOffset, wav.data.byteOffset + wav.data.length)),
    );
  }
  throw new RangeError('prompts must be 8 kHz mono μ-law or PCM');
}

export const SILENCE_FRAME = Buffer.alloc(160, ULAW_SILENCE);
