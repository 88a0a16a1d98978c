import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeUlaw } from './media/g711.ts';

const SECONDS = 30;

/**
 * A 30 s μ-law hold tone (425 Hz, 0.4 s on / 0.6 s off, quiet) written once per host: a held
 * caller hears that the line is alive, and trunks that drop silent RTP keep the call.
 */
export function holdTonePath(): string {
  const file = join(tmpdir(), 'branchline-hold-tone-v1.ul');
  if (existsSync(file)) return file;
  const pcm = new Int16Array(8000 * SECONDS);
  for (let i = 0; i < pcm.length; i++) {
    const inSecond = i % 8000;
    pcm[i] = inSecond < 3200 ? Math.round(4000 * Math.sin((2 * Math.PI * 425 * i) / 8000)) : 0;
  }
  // Written under a unique name and renamed: concurrent appliances never read a half-written tone.
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, encodeUlaw(pcm));
  renameSync(tmp, file);
  return file;
}
