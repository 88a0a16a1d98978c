import { createRequire } from 'node:module';
import type OpusScriptType from 'opusscript';
import { Downsampler, Upsampler } from './resample.ts';

const require = createRequire(import.meta.url);

// libopus encoder CTLs (opus_defines.h).
const SET_BITRATE = 4002;
const SET_INBAND_FEC = 4012;
const SET_PACKET_LOSS_PERC = 4014;
const SET_DTX = 4016;

export const OPUS_BITRATE_NORMAL = 32_000;
export const OPUS_BITRATE_LOSSY = 16_000;
const LOSSY_ABOVE_PCT = 5;
const CLEAR_BELOW_PCT = 2;
/** Consecutive clean reports before the bitrate goes back up (no flapping on one good second). */
const CLEAR_REPORTS = 3;

export interface TranscoderStats {
  on: true;
  decoded: number;
  encoded: number;
  decodeErrors: number;
  bitrate: number;
  fec: boolean;
  dtx: boolean;
  remoteLossPct: number | undefined;
}

/**
 * Opus 48 kHz mono ↔ 16-bit PCM 8 kHz for one Opus leg bridged to a G.711 leg
 * (used only when the codecs differ). The encoder runs VOIP mode with in-band
 * FEC and DTX on, and drops to 16 kbit/s while the far end reports > 5 % loss.
 *
 * Who does what: werift only carries packets — it never encodes, decodes or
 * adapts audio; it parses the browser's RTCP receiver reports (fraction lost,
 * round trip: read via the sender) and answers with transport-cc feedback. The
 * browser's own Opus encoder adapts its bitrate to that feedback and adds FEC /
 * stops sending in silence because our answer's fmtp says useinbandfec=1;usedtx=1.
 * Our side of the adaptation is this class: the loss the browser reports about
 * our stream drives our encoder's bitrate and expected-loss (FEC strength). The
 * decoder cannot use the browser's FEC (opusscript exposes no decode_fec), so a
 * lost packet is simply missing from the G.711 side.
 */
export class OpusTranscoder {
  #enc: OpusScriptType;
  #dec: OpusScriptType;
  #down = new Downsampler();
  #up = new Upsampler();
  #stats: TranscoderStats = {
    on: true,
    decoded: 0,
    encoded: 0,
    decodeErrors: 0,
    bitrate: OPUS_BITRATE_NORMAL,
    fec: true,
    dtx: true,
    remoteLossPct: undefined,
  };
  #clean = 0;
  #closed = false;
  #pending = new Int16Array(0);
  #narrow: { src: number; out: number } | undefined;
  #wide: { src: number; out: number } | undefined;

  constructor() {
    const OpusScript = require('opusscript') as typeof OpusScriptType;
    this.#enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
    this.#dec = new OpusScript(48000, 1, OpusScript.Application.VOIP);
    this.#enc.encoderCTL(SET_BITRATE, OPUS_BITRATE_NORMAL);
    this.#enc.encoderCTL(SET_INBAND_FEC, 1);
    this.#enc.encoderCTL(SET_DTX, 1);
    this.#enc.encoderCTL(SET_PACKET_LOSS_PERC, 0);
  }

  /** One Opus packet → 8 kHz PCM (20 ms → 160 samples); empty on a corrupt packet. */
  decode(packet: Buffer): Int16Array {
    if (this.#closed || packet.length === 0) return new Int16Array(0);
    try {
      const raw = this.#dec.decode(packet);
      this.#stats.decoded++;
      return this.#down.process(
        new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)),
      );
    } catch {
      this.#stats.decodeErrors++;
      return new Int16Array(0);
    }
  }

  /**
   * 8 kHz PCM → Opus packets of 20 ms each (Opus has no 30 ms frame, so other
   * ptimes are re-chunked; a 20 ms G.711 packet gives exactly one).
   */
  encode(pcm8k: Int16Array): Buffer[] {
    if (this.#closed) return [];
    const all = new Int16Array(this.#pending.length + pcm8k.length);
    all.set(this.#pending);
    all.set(pcm8k, this.#pending.length);
    const out: Buffer[] = [];
    let off = 0;
    for (; off + 160 <= all.length; off += 160) {
      const up = this.#up.process(all.subarray(off, off + 160));
      this.#stats.encoded++;
      // opusscript copies the Buffer's bytes into its wasm heap as 16-bit little-endian samples.
      out.push(this.#enc.encode(Buffer.from(up.buffer, up.byteOffset, up.byteLength), up.length));
    }
    this.#pending = all.slice(off);
    return out;
  }

  /**
   * 48 kHz RTP timestamps → a continuous 8 kHz timeline (and back in `wideTs`):
   * deltas are carried rather than dividing, so a 32-bit wrap is no jump.
   */
  narrowTs(ts48: number): number {
    const d = this.#narrow ? (ts48 - this.#narrow.src) | 0 : 0;
    this.#narrow = {
      src: ts48,
      out: ((this.#narrow?.out ?? Math.floor(ts48 / 6)) + Math.round(d / 6)) >>> 0,
    };
    return this.#narrow.out;
  }

  wideTs(ts8: number): number {
    const d = this.#wide ? (ts8 - this.#wide.src) | 0 : 0;
    this.#wide = { src: ts8, out: ((this.#wide?.out ?? ts8) + d * 6) >>> 0 };
    return this.#wide.out;
  }

  /** Fed with the loss the far end reports (RTCP RR) about what we send. */
  adapt(remoteLossPct: number | undefined): void {
    if (this.#closed || remoteLossPct === undefined) return;
    this.#stats.remoteLossPct = remoteLossPct;
    this.#enc.encoderCTL(SET_PACKET_LOSS_PERC, Math.min(30, Math.round(remoteLossPct)));
    if (remoteLossPct > LOSSY_ABOVE_PCT) {
      this.#clean = 0;
      this.#setBitrate(OPUS_BITRATE_LOSSY);
    } else if (remoteLossPct < CLEAR_BELOW_PCT && ++this.#clean >= CLEAR_REPORTS) {
      this.#setBitrate(OPUS_BITRATE_NORMAL);
    }
  }

  #setBitrate(bps: number): void {
    if (this.#stats.bitrate === bps) return;
    this.#enc.encoderCTL(SET_BITRATE, bps);
    this.#stats.bitrate = bps;
  }

  stats(): TranscoderStats {
    return { ...this.#stats };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#enc.delete();
    this.#dec.delete();
  }
}
