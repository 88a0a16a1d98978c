import type { PouchBulkRow } from './pouch-types.ts';

interface Pending {
  doc: { _id: string };
  resolve: (row: PouchBulkRow) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Group commit at the document level. PouchDB runs one write at a time per
 * database, so concurrent single `put`s would each pay their own fsync; this
 * merges writes that arrive in the same tick or while a batch is in flight
 * into one `bulkDocs` (one synced LevelDB batch). A batch never holds the
 * same id twice, so each write sees the result of the one before it.
 */
export class WriteBatcher {
  #queue: Pending[] = [];
  #busy = false;
  #idle: Array<() => void> = [];
  #write: (docs: object[]) => Promise<PouchBulkRow[]>;

  constructor(write: (docs: object[]) => Promise<PouchBulkRow[]>) {
    this.#write = write;
  }

  submit(doc: { _id: string }): Promise<PouchBulkRow> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ doc, resolve, reject });
      if (!this.#busy && this.#queue.length === 1) process.nextTick(() => this.#flush());
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #take(): Pending[] {
    const ids = new Set<string>();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.#queue) {
      if (batch.length < MAX_BATCH && !ids.has(p.doc._id)) {
        ids.add(p.doc._id);
        batch.push(p);
      } else rest.push(p);
    }
    this.#queue = rest;
    return batch;
  }

  async #flush(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    while (this.#queue.length > 0) {
      const batch = this.#take();
      try {
        const rows = await this.#write(batch.map((p) => p.doc));
        batch.forEach((p, i) => {
          p.resolve(rows[i] ?? { error: true, status: 500, id: p.doc._id });
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.#busy = false;
    for (const done of this.#idle.splice(0)) done();
  }
}
