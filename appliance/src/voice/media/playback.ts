import { decodeUlaw, encodeUlaw, ULAW_SILENCE } from './g711.ts';
import { loadPrompt } from './leg.ts';
import type { Emit, LegState } from './leg-state.ts';
import { OpusTranscoder } from './opus-transcoder.ts';
import type { MediaCommand } from './protocol.ts';

/** Prompts and hold music: paced 20 ms μ-law frames to a leg, and `played` when one ends. */
export class PromptPlayer {
  #emit: Emit;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  start(s: LegState, cmd: Extract<MediaCommand, { op: 'play' }>): void {
    this.finish(cmd.legId, s, false);
    s.play = {
      playId: cmd.playId,
      data: loadPrompt(cmd.file, encodeUlaw),
      started: performance.now(),
      sent: 0,
      loop: cmd.loop === true,
      maxMs: cmd.maxMs,
    };
  }

  finish(legId: string, s: LegState, completed: boolean): void {
    if (!s.play) return;
    const playId = s.play.playId;
    s.play = undefined;
    this.#emit({ ev: 'played', legId, playId, completed });
  }

  /** Sends the frames due on the leg's prompt by `now`. */
  tick(id: string, s: LegState, now: number): void {
    const p = s.play;
    if (!p) return;
    const due = Math.floor((now - p.started) / 20) + 1;
    // After a stall (GC, load) send at most 3 frames at once rather than a burst.
    for (let n = 0; p.sent < due && n < 3; n++) {
      const off = p.loop ? (p.sent * 160) % p.data.length : p.sent * 160;
      if (p.data.length === 0 || off >= p.data.length || (p.maxMs !== undefined && p.sent * 20 >= p.maxMs)) {
        this.finish(id, s, true);
        break;
      }
      let frame = p.data.subarray(off, off + 160);
      if (frame.length < 160) frame = Buffer.concat([frame, Buffer.alloc(160 - frame.length, ULAW_SILENCE)]);
      sendFrame(s, frame, p.sent === 0);
      p.sent++;
    }
    if (s.play && due - p.sent > 3) p.started = now - p.sent * 20;
  }
}

/** A locally generated 20 ms μ-law frame (prompt, hold music) to any leg; Opus legs get it encoded. */
function sendFrame(s: LegState, ulaw: Buffer, marker: boolean): void {
  if (s.leg.codec !== 'opus') {
    s.leg.sendFrame(ulaw, marker);
    return;
  }
  s.tx ??= new OpusTranscoder();
  for (const opus of s.tx.encode(decodeUlaw(ulaw))) s.leg.sendFrame(opus, marker);
}
