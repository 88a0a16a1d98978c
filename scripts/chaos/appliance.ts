// One appliance the chaos suite kills and restarts on the SAME ports, so every
// client (SMTP, SIP, sockets, callbacks) simply finds it again after a restart.
// It counts exits it did not cause: those are the crashes the suite looks for.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { RunningAppliance } from '../../tests/support/appliance.ts';
import { freePort } from '../../tests/support/ports.ts';
import { untilTrue } from '../../tests/support/until.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChaosPorts {
  http: number;
  smtp: number;
  sip: number;
}

export interface UnexpectedExit {
  generation: number;
  code: number | null;
  signal: string | null;
  stderrTail: string;
}

export class ChaosAppliance {
  readonly ports: ChaosPorts;
  readonly base: string;
  readonly unexpectedExits: UnexpectedExit[] = [];
  generation = 0;
  kills = 0;
  #proc: ChildProcess | undefined;
  #expectExit = false;
  #out = '';
  #err = '';
  /** First run's stdout (one-time admin password) survives restarts. */
  #firstOut = '';
  #starting: Promise<void> | undefined;
  #ready = false;

  private constructor(
    readonly dataDir: string,
    ports: ChaosPorts,
    readonly env: Record<string, string>,
  ) {
    this.ports = ports;
    this.base = `http://127.0.0.1:${ports.http}`;
  }

  static async create(dataDir: string, env: Record<string, string> = {}): Promise<ChaosAppliance> {
    const ports = { http: await freePort(), smtp: await freePort(), sip: await freePort() };
    return new ChaosAppliance(dataDir, ports, env);
  }

  get up(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  /** Up and answering: /healthz said 200 since the last (re)start. */
  get ready(): boolean {
    return this.up && this.#ready;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  stderrTail(): string {
    return this.#err.slice(-3000);
  }

  /** Starts the process and waits for /healthz 200 (every listener up). */
  async start(timeoutMs = 90_000): Promise<void> {
    this.generation++;
    this.#expectExit = false;
    this.#ready = false;
    this.#out = '';
    this.#err = '';
    const generation = this.generation;
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'appliance/src/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        BRANCHLINE_DATA_DIR: this.dataDir,
        BRANCHLINE_HTTP_PORT: String(this.ports.http),
        BRANCHLINE_HTTPS: 'off',
        BRANCHLINE_SIP_PORT: String(this.ports.sip),
        BRANCHLINE_SIP_TLS_PORT: '0',
        BRANCHLINE_SMTP_PORT: String(this.ports.smtp),
        BRANCHLINE_LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#proc = proc;
    proc.stdout?.on('data', (d) => {
      this.#out += d;
      if (generation === 1) this.#firstOut += d;
    });
    proc.stderr?.on('data', (d) => {
      this.#err = (this.#err + d).slice(-20_000);
    });
    proc.once('exit', (code, signal) => {
      if (this.#proc === proc) this.#ready = false;
      if (this.#expectExit || this.#proc !== proc) return;
      this.unexpectedExits.push({ generation, code, signal, stderrTail: this.stderrTail() });
    });
    await untilTrue(
      `the appliance (generation ${generation}) to answer /healthz`,
      async () => {
        if (!this.up) throw new Error(`appliance exited while starting: ${this.stderrTail()}`);
        try {
          const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2_000) });
          return r.ok;
        } catch {
          return false;
        }
      },
      { timeoutMs, everyMs: 100 },
    );
    this.#ready = true;
  }

  /** Starts the appliance unless it is up or already starting (a supervisor's restart). */
  ensureUp(): Promise<void> {
    if (this.up && !this.#starting) return Promise.resolve();
    if (!this.#starting) {
      this.#starting = this.start().finally(() => {
        this.#starting = undefined;
      });
    }
    return this.#starting;
  }

  /** kill -9, as a power cut or the OOM killer would. */
  async kill9(): Promise<void> {
    const proc = this.#proc;
    if (!proc || !this.up) return;
    this.#expectExit = true;
    this.kills++;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Graceful SIGTERM (SIGKILL after 15 s); returns the exit code. */
  async stop(): Promise<number | null> {
    const proc = this.#proc;
    if (!proc || !this.up) return proc?.exitCode ?? null;
    this.#expectExit = true;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(t);
    return code;
  }

  /** The first generation as the test support's RunningAppliance (for bootstrapAdmin). */
  asRunning(): RunningAppliance {
    const proc = this.#proc as ChildProcess;
    return {
      dataDir: this.dataDir,
      httpPort: this.ports.http,
      httpsPort: 0,
      base: this.base,
      httpsBase: '',
      proc,
      stdout: () => this.#firstOut,
      stderr: () => this.#err,
      stop: () => this.stop(),
      kill: async () => this.kill9(),
    };
  }
}
