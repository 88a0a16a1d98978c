import type { AcousticMetrics } from './types.ts';

/** 20 ms frames at 8 kHz. */
export const FRAME = 160;
const FRAME_S = 0.02;
/** Speech must rise this far above the channel's noise floor… */
const ABOVE_FLOOR_DB = 12;
/** …and above this absolute level (line hiss on a quiet trunk is not speech). */
const MIN_SPEECH_DB = -50;
/** Two frames (40 ms) above the threshold start speech; clicks do not. */
const ONSET_FRAMES = 2;
/** Speech stays on 300 ms after the last loud frame, so the gaps between words are not silence. */
const HANGOVER_FRAMES = 15;
/** An agent onset over the customer is an interruption when the customer stops within this. */
export const INTERRUPT_WINDOW_S = 2;

function frameDb(pcm: Int16Array, f: number): number {
  let sum = 0;
  const end = Math.min(pcm.length, (f + 1) * FRAME);
  const start = f * FRAME;
  for (let i = start; i < end; i++) {
    const v = pcm[i] ?? 0;
    sum += v * v;
  }
  const n = end - start;
  const ms = n > 0 ? sum / n : 0;
  return ms > 0 ? 10 * Math.log10(ms / (32768 * 32768)) : -96;
}

/**
 * Energy VAD over 20 ms frames: an adaptive noise floor (follows quiet frames
 * down at once, rises 1.5 dB/s so a long word does not become the floor), an
 * onset of two frames and a 300 ms hangover.
 */
export function voiceActivity(pcm: Int16Array, frames = Math.ceil(pcm.length / FRAME)): Uint8Array {
  const out = new Uint8Array(frames);
  let floor = -70;
  let run = 0;
  let hang = 0;
  for (let f = 0; f < frames; f++) {
    const db = frameDb(pcm, f);
    const loud = db > Math.max(floor + ABOVE_FLOOR_DB, MIN_SPEECH_DB);
    // Down at once; up slowly even through speech, so steady line noise is absorbed in ~20 s.
    floor = db < floor ? db : Math.min(floor + 0.03, db);
    run = loud ? run + 1 : 0;
    if (run >= ONSET_FRAMES) {
      hang = HANGOVER_FRAMES;
      // The onset frames were speech too.
      if (run === ONSET_FRAMES) for (let k = f - ONSET_FRAMES + 1; k < f; k++) out[k] = 1;
    }
    if (run >= ONSET_FRAMES || hang > 0) {
      out[f] = 1;
      if (run < ONSET_FRAMES) hang--;
    }
  }
  return out;
}

export interface AcousticInput {
  customer: Int16Array;
  agent: Int16Array;
  /** Sample where the agent joined (their leg's recording start); the metrics cover the call from here. */
  agentFrom: number;
  /** Sample ranges on the recording's timeline when the call was on hold (excluded from silence). */
  holds?: ReadonlyArray<readonly [number, number]>;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Talk, silence, overtalk, interruptions, hold and time to the agent's first
 * words of a two-channel call (8 kHz, customer and agent on one timeline),
 * from the agent's arrival to the end of the recording.
 */
export function acousticMetrics(input: AcousticInput): AcousticMetrics {
  const frames = Math.ceil(Math.max(input.customer.length, input.agent.length) / FRAME);
  const c = voiceActivity(input.customer, frames);
  const a = voiceActivity(input.agent, frames);
  const from = Math.min(frames, Math.floor(input.agentFrom / FRAME));
  const hold = new Uint8Array(frames);
  let holdFrames = 0;
  for (const [s, e] of input.holds ?? []) {
    for (let f = Math.max(from, Math.floor(s / FRAME)); f < Math.min(frames, Math.ceil(e / FRAME)); f++) {
      if (!hold[f]) holdFrames++;
      hold[f] = 1;
    }
  }
  let agentTalk = 0;
  let customerTalk = 0;
  let overtalk = 0;
  let silent = 0;
  let longest = 0;
  let quietRun = 0;
  let firstAgent: number | undefined;
  let interruptions = 0;
  for (let f = from; f < frames; f++) {
    const af = a[f] === 1;
    const cf = c[f] === 1;
    if (af) agentTalk++;
    if (cf) customerTalk++;
    if (af && cf) overtalk++;
    if (af && firstAgent === undefined) firstAgent = f;
    // An agent onset while the customer speaks, and the customer gives way soon after.
    if (af && cf && f > from && a[f - 1] !== 1) {
      const limit = Math.min(frames, f + INTERRUPT_WINDOW_S / FRAME_S);
      for (let k = f + 1; k < limit; k++)
        if (c[k] !== 1) {
          interruptions++;
          break;
        }
    }
    if (!af && !cf && !hold[f]) {
      silent++;
      quietRun++;
      longest = Math.max(longest, quietRun);
    } else quietRun = 0;
  }
  const span = Math.max(0, frames - from);
  const talked = agentTalk + customerTalk;
  return {
    durationS: round(span * FRAME_S),
    agentTalkS: round(agentTalk * FRAME_S),
    customerTalkS: round(customerTalk * FRAME_S),
    agent_talk_ratio: talked > 0 ? round(agentTalk / talked, 3) : 0,
    longest_silence_s: round(longest * FRAME_S),
    silence_share: span - holdFrames > 0 ? round(silent / (span - holdFrames), 3) : 0,
    overtalk_s: round(overtalk * FRAME_S),
    agent_interruptions: interruptions,
    hold_s: round(holdFrames * FRAME_S),
    // An agent who never spoke took (at least) the whole call.
    first_agent_words_s: round(((firstAgent ?? frames) - from) * FRAME_S),
  };
}
