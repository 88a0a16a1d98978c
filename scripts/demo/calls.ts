// SIP trunk calls with sipp (UAC): scripts/demo/call.xml (bench/voice-uac.xml's
// INVITE) streams a μ-law WAV for the hold time and hangs up, or takes the
// appliance's BYE when a flow ends the call first. The appliance only answers trunks it
// trusts, so BRANCHLINE_SIP_TRUNKS must list the demo's address, e.g.
// BRANCHLINE_SIP_TRUNKS="demo=127.0.0.1".
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const TEMPLATE = path.join(import.meta.dirname, 'call.xml');

/** Writes the scenario (hold time filled in) and its caller.wav into `dir`; returns the scenario path. */
export function prepareCallDir(dir: string, holdMs: number): string {
  const file = path.join(dir, 'call.xml');
  writeFileSync(
    file,
    readFileSync(TEMPLATE, 'utf8').replace('timeout="HOLD_MS"', `timeout="${Math.round(holdMs)}"`),
  );
  writeCallerWav(path.join(dir, 'caller.wav'), holdMs / 1000 + 2);
  return file;
}

export function hasSipp(): boolean {
  return spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
}

/** A μ-law 8 kHz mono WAV of a slow two-tone warble (what sipp's rtp_stream plays). */
export function writeCallerWav(file: string, seconds: number): void {
  const n = Math.round(8000 * seconds);
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const f = Math.floor(i / 4000) % 2 ? 440 : 660;
    data[i] = ulaw(Math.round(8000 * Math.sin((2 * Math.PI * f * i) / 8000)));
  }
  const h = Buffer.alloc(58);
  h.write('RIFF', 0);
  h.writeUInt32LE(50 + n, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36);
  h.write('fact', 38);
  h.writeUInt32LE(4, 42);
  h.writeUInt32LE(n, 46);
  h.write('data', 50);
  h.writeUInt32LE(n, 54);
  writeFileSync(file, Buffer.concat([h, data]));
}

function ulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample)) + BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  s = ~(sign | (exp << 4) | mant);
  return s & 0xff;
}

function freeUdpishPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** One call; resolves true when sipp completed it (exit 0). `cwd` holds bench.wav. */
export async function sippCall(o: {
  host: string;
  port: number;
  cwd: string;
  holdMs: number;
}): Promise<boolean> {
  const args = [
    ...[`${o.host}:${o.port}`, '-sf', path.join(o.cwd, 'call.xml'), '-m', '1'],
    // On loopback the trunk address is 127.0.0.1; on a LAN sipp picks the outgoing interface.
    ...(/^(127\.|localhost$)/.test(o.host) ? ['-i', '127.0.0.1'] : []),
    ...['-p', String(await freeUdpishPort()), '-mp', String(await freeUdpishPort())],
    ...[
      '-d',
      String(o.holdMs),
      '-timeout',
      `${Math.ceil(o.holdMs / 1000) + 30}s`,
      '-timeout_error',
      '-nostdin',
    ],
  ];
  const child = spawn('sipp', args, { cwd: o.cwd, stdio: 'ignore' });
  return new Promise((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
