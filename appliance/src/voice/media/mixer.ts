import type { SuperviseMode } from './protocol.ts';

const FRAME = 160;
/** At most 80 ms queued per source: a late source is trimmed rather than delaying everyone. */
const MAX_QUEUED = FRAME * 4;

class SampleQueue {
  #buf = new Int16Array(MAX_QUEUED + FRAME * 2);
  #len = 0;

  push(pcm: Int16Array): void {
    if (pcm.length >= this.#buf.length) {
      this.#buf.set(pcm.subarray(pcm.length - MAX_QUEUED));
      this.#len = MAX_QUEUED;
      return;
    }
    if (this.#len + pcm.length > this.#buf.length) {
      const drop = this.#len + pcm.length - MAX_QUEUED;
      this.#buf.copyWithin(0, drop, this.#len);
      this.#len -= drop;
    }
    this.#buf.set(pcm, this.#len);
    this.#len += pcm.length;
  }

  /** Adds the next 20 ms into `into` (silence where the source has nothing). */
  takeInto(into: Int32Array): void {
    const n = Math.min(FRAME, this.#len);
    for (let i = 0; i < n; i++) into[i] = (into[i] ?? 0) + (this.#buf[i] ?? 0);
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
  }
}

/**
 * A G.711 conference bridge: decoded frames in, one 20 ms mix per listener
 * out (each hears only the legs in its `hears` list, never itself).
 */
export class Mixer {
  #hears = new Map<string, string[]>();
  #queues = new Map<string, SampleQueue>();
  #next: number | undefined;

  constructor(hears: Map<string, string[]>) {
    this.#hears = hears;
    for (const id of hears.keys()) this.#queues.set(id, new SampleQueue());
  }

  get legIds(): string[] {
    return [...this.#hears.keys()];
  }

  hears(listener: string): readonly string[] {
    return this.#hears.get(listener) ?? [];
  }

  push(legId: string, pcm: Int16Array): void {
    this.#queues.get(legId)?.push(pcm);
  }

  remove(legId: string): void {
    this.#hears.delete(legId);
    this.#queues.delete(legId);
    for (const [k, v] of this.#hears)
      this.#hears.set(
        k,
        v.filter((x) => x !== legId),
      );
  }

  /** Emits every 20 ms frame that is due (at most 3 after a stall). */
  tick(now: number, send: (legId: string, pcm: Int16Array) => void): void {
    this.#next ??= now;
    for (let n = 0; now >= this.#next && n < 3; n++) {
      this.#next += 20;
      const frames = new Map<string, Int32Array>();
      for (const [id, q] of this.#queues) {
        const f = new Int32Array(FRAME);
        q.takeInto(f);
        frames.set(id, f);
      }
      for (const [listener, sources] of this.#hears) {
        const out = new Int16Array(FRAME);
        for (const src of sources) {
          const f = frames.get(src);
          if (!f) continue;
          for (let i = 0; i < FRAME; i++) out[i] = clamp((out[i] ?? 0) + (f[i] ?? 0));
        }
        send(listener, out);
      }
    }
    if (now - this.#next > 100) this.#next = now;
  }
}

function clamp(v: number): number {
  return Math.min(32767, Math.max(-32768, v));
}

/** Who hears whom for a supervised customer↔agent bridge. */
export function superviseMatrix(
  legs: { customer: string; agent: string; supervisor: string },
  mode: Exclude<SuperviseMode, 'off'>,
): Map<string, string[]> {
  const { customer: c, agent: a, supervisor: s } = legs;
  return new Map([
    [c, mode === 'barge' ? [a, s] : [a]],
    [a, mode === 'listen' ? [c] : [c, s]],
    [s, [c, a]],
  ]);
}

/** Everyone hears everyone else. */
export function conferenceMatrix(legs: string[]): Map<string, string[]> {
  return new Map(legs.map((l) => [l, legs.filter((x) => x !== l)]));
}
