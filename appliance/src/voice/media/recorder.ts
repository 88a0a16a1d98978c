import type { StreamSodium } from '../recording/sodium.ts';
import { RecordingStreamWriter } from '../recording/stream.ts';
import type { Emit, LegState, Recorder } from './leg-state.ts';
import type { MediaCommand } from './protocol.ts';
import type { RtpPacket } from './rtp.ts';

/** A leg's encrypted recording stream: start, pause/resume, hand over to another leg, stop. */
export class LegRecorder {
  #emit: Emit;
  #sodium: StreamSodium;

  constructor(emit: Emit, sodium: StreamSodium) {
    this.#emit = emit;
    this.#sodium = sodium;
  }

  start(s: LegState, cmd: Extract<MediaCommand, { op: 'recordStart' }>): void {
    if (s.rec) throw new Error('already recording');
    const writer = new RecordingStreamWriter(cmd.path, this.#sodium, {
      key: Buffer.from(cmd.key, 'base64'),
      suite: cmd.suite,
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
  }

  pause(s: LegState, cmd: Extract<MediaCommand, { op: 'recordPause' | 'recordResume' }>): void {
    if (!s.rec) throw new Error('not recording');
    s.rec.paused = cmd.op === 'recordPause';
    s.rec.writer.flush();
    this.#emit({
      ev: 'recording',
      legId: cmd.legId,
      state: s.rec.paused ? 'paused' : 'resumed',
      chunks: s.rec.writer.chunks,
    });
  }

  move(from: LegState, to: LegState, cmd: Extract<MediaCommand, { op: 'recordMove' }>): void {
    if (!from.rec) throw new Error(`leg ${cmd.from} is not recording`);
    if (to.rec) throw new Error(`leg ${cmd.to} is recording already`);
    to.rec = from.rec;
    from.rec = undefined;
    // The new leg's packets carry their own SSRC and timestamps: place them by the wall clock.
    to.rec.anchor = undefined;
  }

  stop(legId: string, s: LegState): { chunks: number } {
    if (!s.rec) return { chunks: 0 };
    s.rec.writer.finish();
    const chunks = s.rec.writer.chunks;
    s.rec = undefined;
    this.#emit({ ev: 'recording', legId, state: 'stopped', chunks });
    return { chunks };
  }
}

/** Appends a μ-law frame at the packet's place in the recording's timeline. */
export function record(rec: Recorder, pkt: RtpPacket, ulaw: Buffer, at: number): void {
  const wallPos = Math.max(0, Math.round((at - rec.epochMs) * 8));
  let pos = rec.anchor ? rec.anchor.pos + ((pkt.timestamp - rec.anchor.ts) | 0) : wallPos;
  // New source, a timestamp jump or drift beyond a second: re-anchor to the wall clock.
  if (!rec.anchor || rec.anchor.ssrc !== pkt.ssrc || Math.abs(pos - wallPos) > 8000) {
    rec.anchor = { ssrc: pkt.ssrc, ts: pkt.timestamp, pos: wallPos };
    pos = wallPos;
  }
  rec.writer.append(pos, ulaw);
}
