import { ulawToLinear } from './g711.ts';
import type { Emit, LegState } from './leg-state.ts';
import type { MediaCommand } from './protocol.ts';

const VOICE_RMS = 400;

/** Speech capture for the IVR: frames from first voice to end of speech, then `captured`. */
export class SpeechCapture {
  #emit: Emit;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  start(s: LegState, cmd: Extract<MediaCommand, { op: 'capture' }>): void {
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
  }

  /**
   * End-of-speech is measured in media time: a caller's packets that arrive in
   * a burst after a network or scheduling stall are still the same audio, and
   * wall-clock gaps between them are not pauses in what the caller said.
   */
  frame(legId: string, s: LegState, ulaw: Buffer): void {
    const c = s.capture;
    if (!c) return;
    c.frames.push(ulaw);
    c.heardMs += ulaw.length / 8;
    const at = c.heardMs;
    if (rms(ulaw) > VOICE_RMS) {
      c.speechAt ??= at;
      c.lastVoice = at;
    } else if (c.speechAt === undefined && c.frames.length > 15) c.frames.shift();
    if (c.speechAt !== undefined && at - c.lastVoice > c.silenceMs) this.#end(legId, s);
  }

  /** Ends a capture that has gone quiet, run too long, or heard no speech in time. */
  tick(id: string, s: LegState, now: number): void {
    const c = s.capture;
    const quiet = c?.speechAt !== undefined && now - c.lastPacketAt > Math.max(2 * c.silenceMs, 1500);
    if (
      c &&
      (quiet || now - c.started > c.maxMs || (c.speechAt === undefined && now - c.started > c.noSpeechMs))
    ) {
      this.#end(id, s);
    }
  }

  #end(legId: string, s: LegState): void {
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
}

function rms(ulaw: Buffer): number {
  let sum = 0;
  for (const b of ulaw) {
    const v = ulawToLinear(b);
    sum += v * v;
  }
  return Math.sqrt(sum / Math.max(1, ulaw.length));
}
