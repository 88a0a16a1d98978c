import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeUlaw } from './media/g711.ts';

/** A pentatonic phrase (semitones above A3) and note length: public-domain by construction, never a recording. */
const PHRASE = [0, 3, 5, 7, 10, 7, 5, 3, 0, -2, 0, 3, 5, 3, 0, -5];
const NOTE_S = 0.5;
const RATE = 8000;

/**
 * Music on hold: a generated ~16 s two-voice tone melody (root + fifth, soft attack
 * and decay), 8 kHz μ-law, written once per host and looped by the media worker.
 */
export function holdMusicPath(): string {
  const file = join(tmpdir(), 'branchline-hold-music-v1.ul');
  if (existsSync(file)) return file;
  const per = Math.round(RATE * NOTE_S);
  const pcm = new Int16Array(per * PHRASE.length * 2);
  for (let rep = 0; rep < 2; rep++) {
    for (const [n, semi] of PHRASE.entries()) {
      // The second pass moves the melody up a fourth so the loop is less monotonous.
      const f = 220 * 2 ** ((semi + rep * 5) / 12);
      const base = (rep * PHRASE.length + n) * per;
      for (let i = 0; i < per; i++) {
        const t = i / RATE;
        const env = Math.min(1, i / 200) * Math.exp(-3 * t);
        const v = Math.sin(2 * Math.PI * f * t) + 0.4 * Math.sin(2 * Math.PI * f * 1.5 * t);
        pcm[base + i] = Math.round(6000 * env * v);
      }
    }
  }
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, encodeUlaw(pcm));
  renameSync(tmp, file);
  return file;
}
