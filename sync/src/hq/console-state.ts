import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isNotFound, PouchDB, type PouchDb, type PouchDoc } from '../pouch.ts';

export const CONSOLE_STATE_DIR = 'console-state';

/**
 * The HQ console's own LevelDB (PouchDB) at `<dataDir>/console-state`:
 * operator sessions (keyed by a hash of the cookie) and sign-in failure
 * counts. It lives beside the CouchDB directory, not in it, so the endpoint
 * branches replicate to never serves it. Writes to one document run one at
 * a time, so read-modify-write never conflicts within this process.
 */
export class ConsoleState {
  readonly #dir: string;
  #handle: PouchDb | undefined;
  readonly #chains = new Map<string, Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.#dir = path.resolve(dataDir, CONSOLE_STATE_DIR);
  }

  /** Opened on first use: a console nobody signs in to holds no database open. */
  get #db(): PouchDb {
    if (!this.#handle) {
      mkdirSync(path.dirname(this.#dir), { recursive: true, mode: 0o700 });
      // Every touch rewrites a session doc; compaction drops the old revisions.
      this.#handle = new PouchDB(this.#dir, { auto_compaction: true });
    }
    return this.#handle;
  }

  async get<T extends object>(id: string): Promise<T | undefined> {
    this.#open();
    try {
      const { _id, _rev, ...body } = await this.#db.get(id);
      return body as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Replaces the document `id` with what `fn` returns for its current body
   * (undefined when absent); returning undefined deletes it.
   */
  update<T extends object>(
    id: string,
    fn: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    if (this.#closing) return Promise.reject(new Error('ConsoleState is closed'));
    const run = async (): Promise<T | undefined> => {
      const cur = await this.#db.get(id).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      const body = cur ? (({ _id, _rev, ...b }: PouchDoc) => b as T)(cur) : undefined;
      const next = fn(body);
      if (next === undefined) {
        if (cur?._rev) await this.#db.put({ _id: id, _rev: cur._rev, _deleted: true });
      } else await this.#db.put({ ...next, _id: id, ...(cur?._rev ? { _rev: cur._rev } : {}) });
      return next;
    };
    const prev = this.#chains.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    this.#chains.set(id, tail);
    void tail.then(() => {
      if (this.#chains.get(id) === tail) this.#chains.delete(id);
    });
    return next;
  }

  /** Every live document whose id starts with `prefix`. */
  async list<T extends object>(prefix: string): Promise<Array<{ id: string; doc: T }>> {
    this.#open();
    const { rows } = await this.#db.allDocs({
      startkey: prefix,
      endkey: `${prefix}\ufff0`,
      include_docs: true,
    });
    return rows.flatMap((r) => {
      if (!r.doc) return [];
      const { _id, _rev, ...body } = r.doc;
      return [{ id: r.id, doc: body as T }];
    });
  }

  #open(): void {
    if (this.#closing) throw new Error('ConsoleState is closed');
  }

  /** Idempotent; waits for pending writes. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(this.#chains.values());
      await this.#handle?.close();
    })();
    return this.#closing;
  }
}
