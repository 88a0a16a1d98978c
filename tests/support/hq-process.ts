// `npm run hq` as an operator starts it: the real HQ process (sync/src/hq-main.ts)
// on a fresh data dir, with what it prints on first start (its console and
// replication URLs and the first operator's one-time password); and TOTP codes
// from a fresh 30 s step, since HQ accepts each step once.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { URI } from 'otpauth';
import { ROOT } from './appliance.ts';
import { freePort } from './ports.ts';
import { until } from './until.ts';

export interface HqProcess {
  dir: string;
  couchUrl: string;
  consoleUrl: string;
  /** The first operator's (`admin`) one-time password, printed once. */
  oneTimePassword: string;
  stop(): Promise<void>;
}

/** Starts HQ on a fresh data dir (extra env such as BRANCHLINE_HQ_BRANCHES) and waits for `hq ready`. */
export async function spawnHq(tmpPrefix: string, env: Record<string, string> = {}): Promise<HqProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  const hq: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sync/src/hq-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      BRANCHLINE_HQ_DATA_DIR: dir,
      BRANCHLINE_HQ_PORT: String(await freePort()),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    hq.stdout?.on('data', (b: Buffer) => {
      text += b;
      if (text.includes('hq ready')) resolve(text);
    });
    hq.once('exit', (code) => reject(new Error(`hq exited ${code}: ${text}`)));
  });
  return {
    dir,
    couchUrl: /couch=(\S+)/.exec(out)?.[1] ?? '',
    consoleUrl: /console=(\S+)/.exec(out)?.[1] ?? '',
    oneTimePassword: /one-time password: (\S+)/.exec(out)?.[1] ?? '',
    async stop() {
      if (hq.exitCode === null) {
        const done = new Promise((r) => hq.once('exit', r));
        hq.kill('SIGTERM');
        await done;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const step = (ms: number) => Math.floor(ms / 30_000);

/** One authenticator: each code comes from a 30 s step after the last one it gave. */
export class TotpStepper {
  lastAt = 0;
  constructor(public totp?: ReturnType<typeof URI.parse>) {}

  /** Waits for a step after the last code used, and returns that step's code. */
  async next(): Promise<string> {
    const at = await until(
      'a fresh TOTP step',
      () => (step(Date.now()) > step(this.lastAt) ? Date.now() : undefined),
      {
        timeoutMs: 35_000,
      },
    );
    this.lastAt = at;
    if (!this.totp) throw new Error('TotpStepper: no authenticator yet');
    return this.totp.generate({ timestamp: at });
  }
}
