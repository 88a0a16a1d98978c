import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// libsodium-wrappers-sumo's ESM build is broken in 0.7.x: load the CJS build by path.
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

type Job =
  | { op: 'hash'; password: string; opslimit: number; memlimit: number }
  | { op: 'verify'; hash: string; password: string };

/**
 * argon2id (libsodium `crypto_pwhash_str`, t=2, m=64 MiB) on one worker
 * thread, one hash at a time: HQ's console logins are rare, and the CouchDB
 * endpoint in the same process must never wait on a hash.
 */
export class OperatorHasher {
  readonly #opslimit = 2;
  readonly #memlimit = 64 * 1024 * 1024;
  #worker: Worker | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  hash(password: string): Promise<string> {
    return this.#run({
      op: 'hash',
      password,
      opslimit: this.#opslimit,
      memlimit: this.#memlimit,
    }) as Promise<string>;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.#run({ op: 'verify', hash, password })) === true;
  }

  #run(job: Job): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('OperatorHasher is closed'));
    const next = this.#chain.then(() => this.#post(job));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #post(job: Job): Promise<string | boolean> {
    this.#worker ??= new Worker(WORKER_SRC, { eval: true, workerData: { sodiumPath: SODIUM_PATH } });
    const w = this.#worker;
    w.ref();
    return new Promise((resolve, reject) => {
      const done = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.unref();
      };
      const onMessage = (m: { ok: boolean; result?: string | boolean; error?: string }) => {
        done();
        if (m.ok) resolve(m.result as string | boolean);
        else reject(new Error(`Password hashing failed: ${m.error}`));
      };
      const onError = (err: Error) => {
        done();
        this.#worker = undefined;
        reject(err);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage(job);
    });
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    await w?.terminate();
  }
}
