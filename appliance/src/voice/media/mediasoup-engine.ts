import { createRequire } from 'node:module';
import path from 'node:path';
import type { Worker } from 'mediasoup/types';
import type { Logger } from '../../logging/index.ts';
import { MediasoupCall, ROUTER_CODECS } from './mediasoup-call.ts';
import { MediaEngineError } from './mediasoup-errors.ts';

export interface MediaEngineInfo {
  engine: 'werift' | 'mediasoup';
  version: string;
}

export interface MediaAlarm {
  alarm: 'media.worker_died';
  severity: 'critical';
  detail: string;
}

export interface MediasoupEngineOptions {
  /** Path of the mediasoup-worker binary (see resolveWorkerBin()). */
  workerBin: string;
  logger: Logger;
  /** The worker died: every call on it lost its media. The engine restarts the worker itself. */
  onAlarm?: (alarm: MediaAlarm) => void;
  /** A replacement worker is running (after onAlarm). */
  onRestarted?: (pid: number) => void;
  /** UDP port range of PlainTransports and WebRtcTransports (default 10000-59999). */
  rtcMinPort?: number;
  rtcMaxPort?: number;
  /** First restart delay; doubles per consecutive death up to 10 s (default 250 ms). */
  restartDelayMs?: number;
  /** How long a worker may take to report running (default 10 s). */
  startTimeoutMs?: number;
}

// mediasoup reads the worker path once, from MEDIASOUP_WORKER_BIN at load time,
// into Worker.js's exports; the appliance's path comes from its config instead,
// so it is set there before each createWorker() (3.19.3 is pinned exactly and
// spawnWorker() checks that the package's live `workerBin` follows). Both are
// loaded with require() so they are the one CommonJS instance (an ESM import
// would snapshot `workerBin`).
const require = createRequire(import.meta.url);
const mediasoup = require('mediasoup') as typeof import('mediasoup');
const workerModule = require(path.join(path.dirname(require.resolve('mediasoup')), 'Worker.js')) as {
  workerBin: string;
};

async function spawnWorker(o: MediasoupEngineOptions): Promise<Worker> {
  workerModule.workerBin = o.workerBin;
  if (mediasoup.workerBin !== o.workerBin) {
    throw new MediaEngineError(
      'VOICE_MEDIA_WORKER_BROKEN',
      `Cannot point mediasoup ${mediasoup.version} at ${o.workerBin}: its worker path did not follow`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = o.startTimeoutMs ?? 10_000;
  try {
    return await Promise.race([
      mediasoup.createWorker({
        logLevel: 'error',
        rtcMinPort: o.rtcMinPort ?? 10_000,
        rtcMaxPort: o.rtcMaxPort ?? 59_999,
        disableLiburing: true,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not running after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new MediaEngineError(
      'VOICE_MEDIA_WORKER_BROKEN',
      `Cannot start the mediasoup worker ${o.workerBin}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The mediasoup media engine: one supervised C++ worker process (restarted
 * with back-off when it dies, after an alarm), one Router per call or bridge.
 * `close()` is idempotent and closes every call, then the worker, and resolves
 * once the worker process has exited.
 */
export class MediasoupEngine {
  #o: MediasoupEngineOptions;
  #worker: Worker;
  #calls = new Set<MediasoupCall>();
  #restarts = 0;
  #deaths = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #restarting: Promise<void> | undefined;
  /** Settles #restarting when close() cancels a pending restart (ready() must not hang). */
  #cancelRestart: (() => void) | undefined;
  #spawning: Promise<Worker> | undefined;
  #stableTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  private constructor(o: MediasoupEngineOptions, worker: Worker) {
    this.#o = o;
    this.#worker = worker;
    this.#watch(worker);
  }

  /** Starts the worker; a missing or broken binary is VOICE_MEDIA_WORKER_BROKEN, never a fallback. */
  static async start(options: MediasoupEngineOptions): Promise<MediasoupEngine> {
    const worker = await spawnWorker(options);
    options.logger.info(`mediasoup worker running [pid:${worker.pid}, version:${mediasoup.version}]`);
    return new MediasoupEngine(options, worker);
  }

  get info(): MediaEngineInfo {
    return { engine: 'mediasoup', version: mediasoup.version };
  }

  /** The current worker's process id (changes after a restart). */
  get pid(): number {
    return this.#worker.pid;
  }

  get restarts(): number {
    return this.#restarts;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #watch(worker: Worker): void {
    worker.on('died', (err) => {
      if (this.#closing || worker !== this.#worker) return;
      const detail = `mediasoup worker died [pid:${worker.pid}]: ${err.message}`;
      this.#o.logger.error(detail);
      for (const call of this.#calls) call.workerDied();
      this.#calls.clear();
      this.#o.onAlarm?.({ alarm: 'media.worker_died', severity: 'critical', detail });
      this.#scheduleRestart();
    });
  }

  #scheduleRestart(): void {
    const delay = Math.min(10_000, (this.#o.restartDelayMs ?? 250) * 2 ** Math.min(this.#deaths, 6));
    this.#deaths++;
    this.#restarting = new Promise((resolve) => {
      this.#cancelRestart = resolve;
      this.#restartTimer = setTimeout(() => {
        this.#restartTimer = undefined;
        this.#spawning = spawnWorker(this.#o);
        this.#spawning.then(
          (worker) => {
            if (this.#closing) {
              // close() waits for #spawning and then ends this worker with the rest.
              this.#worker = worker;
              return resolve();
            }
            this.#worker = worker;
            this.#restarts++;
            this.#restarting = undefined;
            this.#watch(worker);
            // A worker that stays up for a minute resets the back-off.
            clearTimeout(this.#stableTimer);
            this.#stableTimer = setTimeout(() => {
              if (this.#worker === worker && !worker.died) this.#deaths = 0;
            }, 60_000);
            this.#stableTimer.unref();
            this.#o.logger.info(`mediasoup worker restarted [pid:${worker.pid}, restarts:${this.#restarts}]`);
            this.#o.onRestarted?.(worker.pid);
            resolve();
          },
          (err: Error) => {
            this.#o.logger.error(`mediasoup worker restart failed: ${err.message}`);
            if (!this.#closing) this.#scheduleRestart();
            resolve();
          },
        );
      }, delay);
    });
  }

  /** Resolves once a worker is running (at once, unless one is being restarted). */
  async ready(): Promise<void> {
    while (this.#restarting && !this.#closing) await this.#restarting;
    if (this.#closing) throw new MediaEngineError('VOICE_MEDIA_ENGINE_CLOSED', 'media engine closed');
  }

  /** A Router for one call (or bridge); its legs are PlainTransports and WebRtcTransports. */
  async openCall(callId: string): Promise<MediasoupCall> {
    if (typeof callId !== 'string' || callId === '') throw new TypeError('callId must be a non-empty string');
    await this.ready();
    const router = await this.#worker.createRouter({ mediaCodecs: ROUTER_CODECS, appData: { callId } });
    const call = new MediasoupCall(callId, router, () => this.#calls.delete(call));
    this.#calls.add(call);
    return call;
  }

  /** Open calls (a worker death empties it). */
  get calls(): number {
    return this.#calls.size;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#restartTimer);
      clearTimeout(this.#stableTimer);
      this.#cancelRestart?.();
      await this.#spawning?.catch(() => undefined);
      for (const call of this.#calls) call.close();
      this.#calls.clear();
      const worker = this.#worker;
      if (!worker.subprocessClosed) {
        const exited = new Promise<void>((resolve) => worker.once('subprocessclose', () => resolve()));
        worker.close();
        await exited;
      }
    })();
    return this.#closing;
  }
}
