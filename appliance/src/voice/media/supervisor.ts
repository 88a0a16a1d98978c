import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../logging/index.ts';
import type { LegSrtp, MediaCommand, MediaEvent, WorkerMessage } from './protocol.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface MediaWorkerOptions {
  logger: Logger;
  /** Called when the worker died unexpectedly (calls are torn down by the listener). */
  onCrash?: (detail: string) => void;
  requestTimeoutMs?: number;
}

/**
 * Runs and supervises the media worker child: request/reply over IPC, events
 * to listeners, restart with backoff after a crash.
 */
export class MediaWorker {
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  #listeners = new Set<(e: MediaEvent) => void>();
  #opts: MediaWorkerOptions;
  #closed = false;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: MediaWorkerOptions) {
    this.#opts = options;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get restarts(): number {
    return this.#restarts;
  }

  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('media worker closed'));
    this.#ready ??= this.#spawn();
    return this.#ready;
  }

  #spawn(): Promise<void> {
    const entry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
    const child = fork(entry, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    return new Promise((resolve, reject) => {
      const onEarlyExit = (code: number | null) =>
        reject(new Error(`media worker exited during start (${code})`));
      child.once('exit', onEarlyExit);
      child.on('message', (raw: unknown) => {
        const m = raw as WorkerMessage;
        if (m.kind === 'reply') {
          const p = this.#pending.get(m.id);
          if (!p) return;
          this.#pending.delete(m.id);
          clearTimeout(p.timer);
          if (m.ok) p.resolve(m.result);
          else p.reject(new Error(m.error ?? 'media worker error'));
          return;
        }
        if (m.ev === 'ready') {
          child.off('exit', onEarlyExit);
          child.once('exit', (code, signal) => this.#onExit(child, `${code ?? signal}`));
          resolve();
          return;
        }
        const { kind: _k, ...event } = m;
        for (const l of this.#listeners) l(event as MediaEvent);
      });
    });
  }

  #onExit(child: ChildProcess, detail: string): void {
    if (child !== this.#child) return;
    this.#child = undefined;
    this.#ready = undefined;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new Error('media worker died'));
      this.#pending.delete(id);
    }
    if (this.#closed) return;
    this.#opts.logger.error('media worker died', { detail });
    this.#opts.onCrash?.(detail);
    const delay = Math.min(5000, 200 * 2 ** Math.min(this.#restarts, 5));
    this.#restarts++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#closed)
        this.start().catch((e: unknown) =>
          this.#opts.logger.error('media worker restart failed', { error: String(e) }),
        );
    }, delay);
  }

  on(listener: (e: MediaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Opens a plain RTP leg offering PCMU with RFC 4733 DTMF on 101 (what the
   * appliance offers phones and carriers); resolves to its local port.
   */
  async openRtp(
    legId: string,
    bind: string,
    options: { denoise?: boolean; srtp?: LegSrtp } = {},
  ): Promise<number> {
    const r = await this.request<{ port: number }>({
      op: 'open',
      legId,
      kind: 'rtp',
      codec: 'pcmu',
      dtmfPayloadType: 101,
      bind,
      ...(options.denoise ? { denoise: true } : {}),
      ...(options.srtp ? { srtp: options.srtp } : {}),
    });
    return r.port;
  }

  async request<T = unknown>(cmd: Distribute<MediaCommand>): Promise<T> {
    await this.start();
    const child = this.#child;
    if (!child?.connected) throw new Error('media worker not running');
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`media worker timeout on ${cmd.op}`));
      }, this.#opts.requestTimeoutMs ?? 10_000);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.send({ ...cmd, id });
    });
  }

  /** Idempotent: disconnecting lets the worker finish its recordings before it exits. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.disconnect();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
