import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningAppliance {
  dataDir: string;
  httpPort: number;
  httpsPort: number;
  base: string;
  httpsBase: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait (graceful); SIGKILL after 10 s. */
  stop(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function tempDataDir(
  prefix = 'bl-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Spawns `npm start`'s entry as a real process on free loopback ports and waits for /healthz. */
export async function startAppliance(
  dataDir: string,
  options: { env?: Record<string, string>; wrap?: string[]; timeoutMs?: number } = {},
): Promise<RunningAppliance> {
  // A port picked free can still be taken by another process before the
  // appliance binds it; start again on fresh ports when that is why it failed.
  // Output from earlier attempts is kept: the first run prints the one-time
  // admin password before it listens.
  let earlier = '';
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dataDir, options, earlier);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt >= 4) throw e;
      earlier = e.stdout;
    }
  }
}

class PortTaken extends Error {
  constructor(
    message: string,
    readonly stdout: string,
  ) {
    super(message);
  }
}

async function launch(
  dataDir: string,
  options: { env?: Record<string, string>; wrap?: string[]; timeoutMs?: number },
  earlierStdout: string,
): Promise<RunningAppliance> {
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const cmd = [
    ...(options.wrap ?? []),
    process.execPath,
    '--import',
    'tsx',
    path.join(ROOT, 'appliance/src/main.ts'),
  ];
  const proc = spawn(cmd[0]!, cmd.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      BRANCHLINE_DATA_DIR: dataDir,
      BRANCHLINE_HTTP_PORT: String(httpPort),
      BRANCHLINE_HTTPS_PORT: String(httpsPort),
      BRANCHLINE_SIP_PORT: '0',
      BRANCHLINE_SIP_TLS_PORT: '0',
      BRANCHLINE_SMTP_PORT: '0',
      BRANCHLINE_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = earlierStdout;
  let err = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null) {
      const msg = `appliance exited early (${proc.exitCode}): ${err.slice(-2000)}`;
      throw /EADDRINUSE/.test(err) ? new PortTaken(msg, out) : new Error(msg);
    }
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`appliance not healthy in time: ${err.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dataDir,
    httpPort,
    httpsPort,
    base,
    httpsBase: `https://127.0.0.1:${httpsPort}`,
    proc,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

/** The one-time admin password the first run printed to stdout. */
export function initialPassword(app: RunningAppliance): string {
  const m = /initial admin password:\s*(\S+)/i.exec(app.stdout());
  if (!m?.[1]) throw new Error(`no initial admin password in stdout: ${app.stdout()}`);
  return m[1];
}
