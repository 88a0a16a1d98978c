import { encodeAlaw, encodeUlaw } from './g711.ts';
import { type LegState, legOf, type MixRecording } from './leg-state.ts';
import { Mixer } from './mixer.ts';
import { OpusTranscoder } from './opus-transcoder.ts';
import type { PromptPlayer } from './playback.ts';
import { record } from './recorder.ts';
import type { RtpPacket } from './rtp.ts';

/** SSRCs stamped on mixed frames written to a recording: each mix a source of its own, anchored to the wall clock. */
const MIX_SSRC = 0x6d697800;

/** Supervision and conference mixes: who hears whom, each leg's mix sent every tick, the mix recorded. */
export class Mixing {
  #legs: Map<string, LegState>;
  #player: PromptPlayer;
  #mixRec = new WeakMap<Mixer, MixRecording>();
  #mixCount = 0;

  constructor(legs: Map<string, LegState>, player: PromptPlayer) {
    this.#legs = legs;
    this.#player = player;
  }

  start(ids: string[], hears: Map<string, string[]>, record?: { customer: string; agent: string }): void {
    const states = ids.map((id) => legOf(this.#legs, id));
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
      this.#player.finish(ids[i] ?? '', s, false);
    }
  }

  dissolve(s: LegState): void {
    const mix = s.mix;
    if (!mix) return;
    for (const id of mix.legIds) {
      const other = this.#legs.get(id);
      if (other?.mix === mix) other.mix = undefined;
    }
  }

  recordingOf(mix: Mixer): MixRecording | undefined {
    return this.#mixRec.get(mix);
  }

  /** Sends every mixed leg its 20 ms of the mix. */
  tick(now: number): void {
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
    record(rec, pkt, payload, now);
  }
}
