// Scripted two-party calls for acoustic QA: espeak-ng speech resampled by sox to
// 8 kHz, placed on a timeline with silence between, for each side of the call.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './util.ts';

/** One utterance as 8 kHz 16-bit mono PCM. */
export async function say(dir: string, name: string, text: string): Promise<Int16Array> {
  const wav = join(dir, `${name}.wav`);
  const raw = join(dir, `${name}.raw`);
  await run('espeak-ng', ['-v', 'en', '-s', '160', '-w', wav, text]);
  await run('sox', [wav, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', raw]);
  const b = await readFile(raw);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** Clips placed at their start second on a silent timeline of `totalS` seconds. */
export function timeline(totalS: number, clips: Array<readonly [number, Int16Array]>): Int16Array {
  const out = new Int16Array(Math.round(totalS * 8000));
  for (const [at, pcm] of clips)
    out.set(pcm.subarray(0, Math.max(0, out.length - Math.round(at * 8000))), Math.round(at * 8000));
  return out;
}

export const seconds = (pcm: Int16Array) => pcm.length / 8000;

/** Writes PCM as the μ-law WAV sipp's rtp_stream plays. */
export async function ulawWav(dir: string, name: string, pcm: Int16Array): Promise<string> {
  const raw = join(dir, `${name}.s16`);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(raw, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  const out = join(dir, `${name}.wav`);
  await run('sox', [
    '-t',
    'raw',
    '-r',
    '8000',
    '-e',
    'signed-integer',
    '-b',
    '16',
    '-c',
    '1',
    raw,
    '-e',
    'u-law',
    out,
  ]);
  return out;
}

/** The utterances of the two scripted calls. */
export async function scriptLines(dir: string) {
  return {
    // One long run-on complaint (no commas: espeak pauses at commas).
    complaint: await say(
      dir,
      'complaint',
      'I have been waiting for my refund for three weeks and nobody has called me back and I would like to know what is going on with my account today',
    ),
    overAgent: await say(dir, 'over-agent', 'Yes yes I know I will look into your account now'),
    lateAgent: await say(dir, 'late-agent', 'Sorry for the wait is there anything else'),
    bye: await say(dir, 'bye', 'No thanks goodbye'),
    lostCard: await say(dir, 'lost-card', 'Hello I lost my bank card yesterday'),
    politeAgent: await say(
      dir,
      'polite-agent',
      'Good morning I am sorry to hear that I have blocked your card for you',
    ),
    thanks: await say(dir, 'thanks', 'Thank you very much'),
    anythingElse: await say(dir, 'anything-else', 'Is there anything else I can help you with'),
  };
}

/** Acoustic rules the scripted calls are scored with (every metric, thresholds a good call meets). */
export const ACOUSTIC_CARD_RULES = [
  { id: 'talk_ratio', kind: 'acoustic', metric: 'agent_talk_ratio', op: '<=', threshold: 0.8, weight: 10 },
  {
    id: 'longest_silence',
    kind: 'acoustic',
    metric: 'longest_silence_s',
    op: '<=',
    threshold: 10,
    weight: 15,
  },
  { id: 'silence_share', kind: 'acoustic', metric: 'silence_share', op: '<=', threshold: 0.45, weight: 10 },
  { id: 'overtalk', kind: 'acoustic', metric: 'overtalk_s', op: '<=', threshold: 1.5, weight: 20 },
  {
    id: 'interruptions',
    kind: 'acoustic',
    metric: 'agent_interruptions',
    op: '<=',
    threshold: 0,
    weight: 10,
  },
  { id: 'hold_time', kind: 'acoustic', metric: 'hold_s', op: '<=', threshold: 60, weight: 5 },
  { id: 'first_words', kind: 'acoustic', metric: 'first_agent_words_s', op: '<=', threshold: 10, weight: 10 },
] as const;
