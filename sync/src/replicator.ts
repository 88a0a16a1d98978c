import type { Agent } from 'node:https';
import { backoff } from './backoff.ts';
import { openRemote, type PouchDb, type PouchDoc, type ReplicationHandle } from './pouch.ts';

export type Direction = 'push' | 'pull';

export interface ReplicationStatus {
  name: string;
  direction: Direction;
  state: 'stopped' | 'active' | 'paused' | 'error';
  /** Last sequence of the source confirmed written to the target. */
  lastSeq: number | string;
  docsWritten: number;
  lastError?: string;
  /** ms epoch of the last progress (a change batch or an idle "paused" with nothing pending). */
  lastProgressAt: number;
  restarts: number;
}

export interface DeniedDoc {
  id: string;
  rev?: string;
  reason: string;
}

export interface ReplicatorOptions {
  name: string;
  local: PouchDb;
  remoteUrl: string;
  direction: Direction;
  agent?: Agent;
  backoff?: { baseMs?: number; maxMs?: number };
  batchSize?: number;
  /** A document the target refused (403 etc.): never silently skipped. */
  onDenied?: (doc: DeniedDoc) => void | Promise<void>;
  /** Documents that arrived by pull (e.g. to resolve conflicts, apply freezes). */
  onPulled?: (docs: PouchDoc[]) => void | Promise<void>;
}

/**
 * One live, retrying PouchDB replication (push or pull) with bounded jittered
 * back-off, progress tracking for the watchdog, and restart. PouchDB keeps the
 * checkpoints (`_local/<repid>` on both ends), so a restart resumes.
 */
export class Replicator {
  readonly #o: ReplicatorOptions;
  readonly remote: PouchDb;
  #handle: ReplicationHandle | undefined;
  #status: ReplicationStatus;

  constructor(options: ReplicatorOptions) {
    this.#o = options;
    this.remote = openRemote(options.remoteUrl, options.agent ? { agent: options.agent } : {});
    this.#status = {
      name: options.name,
      direction: options.direction,
      state: 'stopped',
      lastSeq: 0,
      docsWritten: 0,
      lastProgressAt: Date.now(),
      restarts: 0,
    };
  }

  get status(): ReplicationStatus {
    return { ...this.#status };
  }

  start(): void {
    if (this.#handle) return;
    const { local, direction } = this.#o;
    const opts = {
      live: true,
      retry: true,
      batch_size: this.#o.batchSize ?? 500,
      batches_limit: 4,
      back_off_function: backoff(this.#o.backoff),
      ...(this.#status.lastSeq ? {} : {}),
    };
    const handle =
      direction === 'push' ? local.replicate.to(this.remote, opts) : local.replicate.from(this.remote, opts);
    this.#handle = handle;
    const s = this.#status;
    s.state = 'active';
    handle.on('change', ((info: { last_seq?: number | string; docs_written?: number; docs?: PouchDoc[] }) => {
      if (this.#handle !== handle) return;
      if (info.last_seq !== undefined) s.lastSeq = info.last_seq;
      if (info.docs_written !== undefined) s.docsWritten = info.docs_written;
      s.lastProgressAt = Date.now();
      s.state = 'active';
      if (direction === 'pull' && info.docs?.length) void this.#o.onPulled?.(info.docs);
    }) as never);
    handle.on('paused', ((err?: Error) => {
      if (this.#handle !== handle) return;
      s.state = err ? 'error' : 'paused';
      if (err) {
        s.lastError = String(err.message ?? err);
        return;
      }
      s.lastProgressAt = Date.now();
      // An idle push emits no 'change' after a restart: being paused means caught up to here.
      if (direction === 'push')
        void local.info().then(
          (i) => {
            if (this.#handle !== handle || s.state !== 'paused') return;
            if (typeof i.update_seq === 'number' && typeof s.lastSeq === 'number' && i.update_seq > s.lastSeq)
              s.lastSeq = i.update_seq;
          },
          () => undefined,
        );
    }) as never);
    handle.on('active', (() => {
      if (this.#handle === handle) s.state = 'active';
    }) as never);
    handle.on('denied', ((err: {
      id?: string;
      doc?: { id?: string; rev?: string };
      reason?: string;
      message?: string;
    }) => {
      const id = err.id ?? err.doc?.id ?? 'unknown';
      void this.#o.onDenied?.({
        id,
        ...(err.doc?.rev ? { rev: err.doc.rev } : {}),
        reason: err.reason ?? err.message ?? 'denied',
      });
    }) as never);
    handle.on('error', ((err: Error) => {
      if (this.#handle !== handle) return;
      s.state = 'error';
      s.lastError = String(err?.message ?? err);
      // A fatal error ends a live replication: restart it after a pause instead of going quiet.
      this.#handle = undefined;
      setTimeout(() => {
        if (s.state === 'error' && !this.#handle && !this.#closed) this.start();
      }, 1000).unref();
    }) as never);
  }

  #closed = false;

  /** Cancels and starts again from the stored checkpoint (the watchdog's remedy for a silent stall). */
  restart(): void {
    this.#cancel();
    this.#status.restarts += 1;
    // Give the fresh replication a full stall window before judging it again.
    this.#status.lastProgressAt = Date.now();
    this.start();
  }

  #cancel(): void {
    const h = this.#handle;
    this.#handle = undefined;
    h?.cancel();
    this.#status.state = 'stopped';
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancel();
    await this.remote.close().catch(() => undefined);
  }
}
