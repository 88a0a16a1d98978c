import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeUlaw } from './media/g711.ts';

interface Cadence {
  name: string;
  hz: number;
  /** Tone, then silence, repeated for `seconds`. */
  onMs: number;
  offMs: number;
  seconds: number;
  amplitude: number;
}

/**
 * A generated μ-law tone file, written once per host under a versioned name
 * (and renamed into place, so concurrent appliances never read half of one).
 */
function toneFile(c: Cadence): string {
  const file = join(tmpdir(), `branchline-${c.name}.ul`);
  if (existsSync(file)) return file;
  const period = ((c.onMs + c.offMs) * 8000) / 1000;
  const on = (c.onMs * 8000) / 1000;
  const pcm = new Int16Array(8000 * c.seconds);
  for (let i = 0; i < pcm.length; i++)
    pcm[i] = i % period < on ? Math.round(c.amplitude * Math.sin((2 * Math.PI * c.hz * i) / 8000)) : 0;
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, encodeUlaw(pcm));
  renameSync(tmp, file);
  return file;
}

/**
 * A 30 s hold tone (425 Hz, 0.4 s on / 0.6 s off, quiet): a held caller hears
 * that the line is alive, and trunks that drop silent RTP keep the call.
 */
export function holdTonePath(): string {
  return toneFile({ name: 'hold-tone-v1', hz: 425, onMs: 400, offMs: 600, seconds: 30, amplitude: 4000 });
}

/**
 * One cadence of ringback (GB/T 3380: 450 Hz, 1 s on / 4 s off), played in a
 * loop to an agent while the carrier rings the customer without early media.
 */
export function ringbackTonePath(): string {
  return toneFile({ name: 'ringback-450-v1', hz: 450, onMs: 1000, offMs: 4000, seconds: 5, amplitude: 6000 });
}
