import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { InvalidStateError } from '../contracts/index.ts';
import { Semaphore } from './semaphore.ts';

interface Sodium {
  ready: Promise<void>;
  crypto_pwhash_str(password: string, opslimit: number, memlimit: number): string;
  crypto_pwhash_str_verify(hash: string, password: string): boolean;
}

type Job =
  | { op: 'hash'; password: string; opslimit: number; memlimit: number }
  | { op: 'verify'; hash: string; password: string };

// The package's ESM build is broken in 0.7.16 (imports a file it does not ship), so load the CJS build.
const require = createRequire(import.meta.url);
const SODIUM_PATH = require.resolve('libsodium-wrappers-sumo');

// Plain CommonJS so the worker needs no TypeScript loader and no file on disk.
const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
parentPort.on('message', async (m) => {
  try {
    await sodium.ready;
    const result = m.op === 'hash'
      ? sodium.crypto_pwhash_str(m.password, m.opslimit, m.memlimit)
      : sodium.crypto_pwhash_str_verify(m.hash, m.password);
    parentPort.postMessage({ ok: true, result });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
});
`;

export const ARGON2_MEMLIMIT = 64 * 1024 * 1024;

export interface PasswordHasherOptions {
  /** argon2id passes (t); at least 2. Default 2. */
  opslimit?: number;
  /** Bytes of memory (m); at least 64 MiB. */
  memlimit?: number;
  /** Hashes running at once; the rest queue. Default 2. */
  concurrency?: number;
  /** Run hashes on worker threads so a 100 ms+ hash never blocks the event loop. Default true except on Deno. */
  threads?: boolean;
}

/**
 * argon2id (libsodium `crypto_pwhash_str`) with bounded concurrency: a login
 * flood queues instead of exhausting memory (each hash holds `memlimit`).
 */
export class PasswordHasher {
  readonly opslimit: number;
  readonly memlimit: number;
  #sem: Semaphore;
  #threads: boolean;
  #idle: Worker[] = [];
  #all = new Set<Worker>();
  #sodium: Sodium | undefined;
  #dummy: Promise<string> | undefined;
  #closed = false;

  constructor(options: PasswordHasherOptions = {}) {
    this.opslimit = options.opslimit ?? 2;
    this.memlimit = options.memlimit ?? ARGON2_MEMLIMIT;
    if (this.opslimit < 2) throw new RangeError(`argon2id opslimit must be >= 2, got ${this.opslimit}`);
    if (this.memlimit < ARGON2_MEMLIMIT) throw new RangeError(`argon2id memlimit must be >= 64 MiB`);
    this.#sem = new Semaphore(options.concurrency ?? 2);
    this.#threads = options.threads ?? !('Deno' in globalThis);
  }

  hash(password: string): Promise<string> {
    return this.#run({
      op: 'hash',
      password,
      opslimit: this.opslimit,
      memlimit: this.memlimit,
    }) as Promise<string>;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.#run({ op: 'verify', hash, password })) === true;
  }

  /** Verifies against a throwaway hash with the same cost, so an unknown user takes as long as a known one. */
  async verifyDummy(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(await this.#dummy, password);
    return false;
  }

  #run(job: Job): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new InvalidStateError('PasswordHasher is closed'));
    return this.#sem.run(() => (this.#threads ? this.#onWorker(job) : this.#inline(job)));
  }

  async #inline(job: Job): Promise<string | boolean> {
    if (!this.#sodium) {
      const s = require(SODIUM_PATH) as Sodium;
      await s.ready;
      this.#sodium = s;
    }
    await new Promise((r) => setImmediate(r));
    const s = this.#sodium;
    return job.op === 'hash'
      ? s.crypto_pwhash_str(job.password, job.opslimit, job.memlimit)
      : s.crypto_pwhash_str_verify(job.hash, job.password);
  }

  #onWorker(job: Job): Promise<string | boolean> {
    const w = this.#idle.pop() ?? this.#spawn();
    w.ref();
    return new Promise<string | boolean>((resolve, reject) => {
      const onMessage = (m: { ok: boolean; result?: string | boolean; error?: string }) => {
        w.off('error', onError);
        w.unref();
        if (!this.#closed) this.#idle.push(w);
        if (m.ok) resolve(m.result as string | boolean);
        else reject(new Error(`Password hashing failed: ${m.error}`));
      };
      const onError = (err: Error) => {
        w.off('message', onMessage);
        this.#all.delete(w);
        reject(err);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(job);
    });
  }

  #spawn(): Worker {
    const w = new Worker(WORKER_SRC, { eval: true, workerData: { sodiumPath: SODIUM_PATH } });
    w.unref();
    this.#all.add(w);
    w.on('exit', () => this.#all.delete(w));
    return w;
  }

  /** Terminates the worker threads; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#idle = [];
    await Promise.all([...this.#all].map((w) => w.terminate()));
    this.#all.clear();
  }
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < 12) return 'Password must have at least 12 characters';
  if (password.length > 256) return 'Password must have at most 256 characters';
  if (password.trim().toLowerCase() === username.trim().toLowerCase())
    return 'Password must not equal the username';
  return undefined;
}
