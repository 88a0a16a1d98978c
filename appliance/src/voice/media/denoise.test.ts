import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { NoiseSuppressor } from './denoise.ts';

const run = promisify(execFile);
let dir: string;
let speech: Int16Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-denoise-'));
  const wav = join(dir, 'speech.wav');
  await run('espeak-ng', [
    '-v',
    'en',
    '-w',
    wav,
    '--',
    'I would like to check the balance of my savings account please',
  ]);
  await run('sox', [
    wav,
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    '-t',
    'raw',
    `${wav}.raw`,
  ]);
  const raw = await readFile(`${wav}.raw`);
  speech = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Deterministic white noise (xorshift32 → sum of 4 uniforms, roughly Gaussian). */
function noise(length: number, rms: number, seed = 12345): Float64Array {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32 - 0.5;
  };
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = ((next() + next() + next() + next()) / Math.sqrt(4 / 12)) * rms;
  return out;
}

const power = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += (a[i] ?? 0) ** 2;
  return s / Math.max(1, to - from);
};
const db = (x: number) => 10 * Math.log10(x);

/** Runs `input` through a suppressor in 20 ms frames, as the media worker does; re-aligned by its delay. */
function suppress(input: ArrayLike<number>): Float64Array {
  const ns = new NoiseSuppressor();
  const padded = Int16Array.from({ length: input.length + NoiseSuppressor.DELAY + 160 }, (_, i) =>
    Math.max(-32768, Math.min(32767, Math.round(input[i] ?? 0))),
  );
  const out: number[] = [];
  for (let i = 0; i + 160 <= padded.length; i += 160) out.push(...ns.process(padded.subarray(i, i + 160)));
  return Float64Array.from(out.slice(NoiseSuppressor.DELAY, NoiseSuppressor.DELAY + input.length));
}

/** Signal-to-noise ratio of `x` against the clean reference over the speech span. */
function snr(clean: ArrayLike<number>, x: ArrayLike<number>, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += ((x[i] ?? 0) - (clean[i] ?? 0)) ** 2;
  return db(power(clean, from, to) / (e / (to - from)));
}

test('NoiseSuppressor pulls steady line noise down by more than 12 dB once it has learnt it', () => {
  const hiss = noise(8000 * 4, 800);
  const out = suppress(hiss);
  const reduction = db(power(hiss, 8000 * 2) / power(out, 8000 * 2));
  assert.ok(reduction > 12, `reduction ${reduction.toFixed(1)} dB`);
});

test('NoiseSuppressor raises the SNR of speech in white noise at 5 dB by at least 4 dB', () => {
  const lead = 8000 * 1.5; // noise alone first, as a caller's line hisses before they speak
  const clean = new Float64Array(lead + speech.length);
  clean.set(Float64Array.from(speech), lead);
  const speechPower = power(speech);
  const hiss = noise(clean.length, Math.sqrt(speechPower / 10 ** (5 / 10)), 777);
  const noisy = clean.map((v, i) => v + (hiss[i] ?? 0));
  const out = suppress(noisy);
  const before = snr(clean, noisy, lead, clean.length);
  const after = snr(clean, out, lead, clean.length);
  assert.ok(Math.abs(before - 5) < 0.5, `input SNR ${before.toFixed(2)} dB`);
  assert.ok(after - before >= 4, `SNR ${before.toFixed(1)} → ${after.toFixed(1)} dB`);
});

test('NoiseSuppressor passes clean speech almost unchanged (SNR against the input above 20 dB)', () => {
  const out = suppress(speech);
  const kept = snr(speech, out, 0, speech.length);
  assert.ok(kept > 20, `clean speech kept at ${kept.toFixed(1)} dB`);
});

test('NoiseSuppressor returns exactly as many samples as it is given, whatever the frame size', () => {
  const ns = new NoiseSuppressor();
  for (const n of [160, 80, 320, 1, 159, 160]) assert.equal(ns.process(new Int16Array(n)).length, n);
});
