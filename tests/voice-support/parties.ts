// Who hears whom on a call with several parties: each party sends its own
// tone, and what a leg receives is measured per tone.
import assert from 'node:assert/strict';
import { linearToUlaw } from '../../appliance/src/voice/media/g711.ts';
import { until } from '../support/until.ts';
import { decodeUlawBuf, run } from './util.ts';

/** A tone amplitude above this is heard; below `SILENT` it is not there. */
export const HEARD = 400;
export const SILENT = 150;

/** One second of an 8 kHz μ-law sine at amplitude 3000 (about −21 dBFS). */
export function ulawTone(freq: number): Buffer {
  const out = Buffer.alloc(8000);
  for (let i = 0; i < out.length; i++)
    out[i] = linearToUlaw(Math.round(3000 * Math.sin((2 * Math.PI * freq * i) / 8000)));
  return out;
}

/**
 * 20 ms frames of `tone`, 300 ms on and 200 ms off like syllables: the
 * appliance's noise suppression on a caller's leg would fade a steady tone.
 */
export function pulsedFrames(tone: Buffer): (i: number) => Buffer {
  const pause = Buffer.alloc(160, 0xff);
  return (i) => (i % 25 < 15 ? tone.subarray((i % 50) * 160, (i % 50) * 160 + 160) : pause);
}

/** A warbling tone WAV for Chromium's fake microphone (its noise suppression fades a steady one). */
export function warbleWav(file: string, freq: number, seconds = 120): Promise<string> {
  return run('sox', [
    ...['-n', '-r', '48000', '-c', '1', '-b', '16', file],
    ...['synth', String(seconds), 'sine', String(freq), 'tremolo', '4', '60', 'vol', '0.6'],
  ]);
}

function amplitude(pcm: Int16Array, freq: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] ?? 0;
    re += v * Math.cos((2 * Math.PI * freq * i) / 8000);
    im += v * Math.sin((2 * Math.PI * freq * i) / 8000);
  }
  return (2 * Math.sqrt(re * re + im * im)) / pcm.length;
}

/**
 * Each party's tone amplitude in `pcm`, averaged over 50 ms windows (20 Hz
 * wide, so a warble stays in its bin). Amplitudes, not shares: a browser's
 * gain control sets its own level.
 */
export function levels<K extends string>(pcm: Int16Array, hz: Record<K, number>): Record<K, number> {
  const out = Object.fromEntries(Object.keys(hz).map((k) => [k, 0])) as Record<K, number>;
  const n = Math.floor(pcm.length / 400);
  for (let w = 0; w < n; w++) {
    const win = pcm.subarray(w * 400, (w + 1) * 400);
    for (const k of Object.keys(hz) as K[]) out[k] += amplitude(win, hz[k]) / n;
  }
  return out;
}

/**
 * Polls until the last second of `frames` (μ-law payloads) holds what `want`
 * says (true: heard, false: not heard), then asserts it with the levels.
 */
export function hears<K extends string>(
  hz: Record<K, number>,
  what: string,
  frames: () => Buffer[],
  want: Partial<Record<K, boolean>>,
): Promise<Record<K, number>> {
  const check = (t: Record<K, number>) =>
    (Object.entries(want) as Array<[K, boolean]>).every(([k, heard]) =>
      heard ? t[k] > HEARD : t[k] < SILENT,
    );
  const measure = () => levels(decodeUlawBuf(Buffer.concat(frames().slice(-50))), hz);
  const fmt = (t: Record<K, number>) =>
    (Object.entries(t) as Array<[K, number]>).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  return until(
    what,
    () => {
      const t = measure();
      return frames().length >= 50 && check(t) ? t : undefined;
    },
    { timeoutMs: 20_000, everyMs: 200 },
  )
    .catch(() => measure())
    .then((t) => {
      assert.ok(check(t), `${what}: ${fmt(t)}`);
      return t;
    });
}
