import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { InvalidStateError } from '../contracts/index.ts';
import { durableLeveldown } from './durable-leveldown.ts';
import { conflict, StorageError } from './errors.ts';
import { listRange } from './list-range.ts';
import type { PouchBulkRow, PouchConstructor, PouchDatabase, PouchError } from './pouch-types.ts';
import type { ChangesResult, DocStore, ListOptions, NewDoc, StoredDoc, WriteResult } from './types.ts';
import { validateDoc } from './validate.ts';
import { WriteBatcher } from './write-batcher.ts';

const PouchDB = createRequire(import.meta.url)('pouchdb') as PouchConstructor;
// pouchdb shares one LevelDB handle per path, so a second store on the same
// path would be closed under the first's feet; refuse it instead.
const openLocations = new Set<string>();

function toError(err: unknown, id: string): StorageError {
  const e = (err ?? {}) as PouchError;
  if (e.status === 409) return conflict(id);
  if (e.status === 400)
    return new StorageError('STORAGE_INVALID_DOC', `Invalid document [id:${id}]`, { cause: err });
  return new StorageError('STORAGE_IO', `Storage failure [id:${id}]`, { status: 500, cause: err });
}

function rowResult(row: PouchBulkRow, id: string): WriteResult {
  if ('ok' in row && row.ok) return { id: row.id, rev: row.rev };
  throw toError(row, id);
}

/**
 * DocStore over PouchDB 9 on LevelDB. Every write is fsynced before its promise
 * resolves (durable LevelDOWN wrapper) and concurrent writes share one fsync
 * (WriteBatcher → one `bulkDocs`).
 */
export class PouchDocStore implements DocStore {
  readonly name: string;
  /** The PouchDB instance, for replication; writes through it are durable too. */
  readonly raw: PouchDatabase;
  #batcher: WriteBatcher;
  #closing: Promise<void> | undefined;

  #location: string;

  constructor(location: string, name: string, options: PouchStoreOptions = {}) {
    if (openLocations.has(location)) throw new InvalidStateError(`Store is already open [path:${location}]`);
    openLocations.add(location);
    this.#location = location;
    this.name = name;
    this.raw = new PouchDB(location, {
      db: durableLeveldown,
      ...(options.revsLimit === undefined ? {} : { revs_limit: options.revsLimit }),
    });
    this.#batcher = new WriteBatcher((docs) => this.raw.bulkDocs(docs));
  }

  #open(): void {
    if (this.#closing) throw new InvalidStateError(`Store is closed [db:${this.name}]`);
  }

  async get<T extends object>(id: string): Promise<StoredDoc<T> | undefined> {
    this.#open();
    try {
      return (await this.raw.get(id)) as StoredDoc<T>;
    } catch (err) {
      if ((err as PouchError).status === 404) return undefined;
      throw toError(err, id);
    }
  }

  async put<T extends object>(doc: NewDoc<T>): Promise<WriteResult> {
    this.#open();
    validateDoc(doc);
    return rowResult(await this.#batcher.submit(doc), doc._id);
  }

  async create<T extends object>(doc: T & { _id: string }): Promise<WriteResult> {
    this.#open();
    const { _rev, ...fresh } = doc as T & { _id: string; _rev?: string };
    try {
      return await this.put(fresh);
    } catch (err) {
      if (!(err instanceof StorageError) || err.code !== 'STORAGE_CONFLICT') throw err;
      const existing = await this.get<object>(doc._id);
      if (!existing) throw err;
      const { _rev: rev, ...rest } = existing;
      if (isDeepStrictEqual(rest, JSON.parse(JSON.stringify(fresh)))) return { id: doc._id, rev };
      throw err;
    }
  }

  async bulkPut<T extends object>(
    docs: NewDoc<T>[],
  ): Promise<Array<WriteResult | { id: string; error: string }>> {
    this.#open();
    const out: Array<WriteResult | { id: string; error: string } | undefined> = [];
    const valid: Array<{ i: number; doc: NewDoc<T> }> = [];
    docs.forEach((doc, i) => {
      try {
        validateDoc(doc);
        valid.push({ i, doc });
      } catch (err) {
        out[i] = { id: String(doc._id), error: (err as StorageError).code };
      }
    });
    const rows = valid.length > 0 ? await this.raw.bulkDocs(valid.map((v) => v.doc)) : [];
    valid.forEach(({ i, doc }, k) => {
      try {
        out[i] = rowResult(rows[k] ?? { error: true, status: 500 }, doc._id);
      } catch (err) {
        out[i] = { id: doc._id, error: (err as StorageError).code };
      }
    });
    return out as Array<WriteResult | { id: string; error: string }>;
  }

  async remove(id: string, rev: string): Promise<void> {
    this.#open();
    const row = await this.#batcher.submit({ _id: id, _rev: rev, _deleted: true } as { _id: string });
    // Removing a doc that does not exist is a stale-rev condition, as in the memory adapter.
    if (!('ok' in row) && row.status === 404) throw conflict(id);
    rowResult(row, id);
  }

  async list<T extends object>(options: ListOptions = {}): Promise<StoredDoc<T>[]> {
    this.#open();
    const range = listRange(options);
    const res = await this.raw.allDocs({ include_docs: true, ...range.query });
    const docs: StoredDoc<T>[] = [];
    for (const row of res.rows) {
      if (!row.doc || row.id.startsWith('_') || row.id === options.after) continue;
      docs.push(row.doc as StoredDoc<T>);
      if (options.limit !== undefined && docs.length >= options.limit) break;
    }
    return docs;
  }

  async changes(options: { since?: number | string; limit?: number } = {}): Promise<ChangesResult> {
    this.#open();
    const query = {
      since: options.since ?? 0,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    };
    const res = await this.raw.changes(query);
    return {
      results: res.results.map((r) => ({ id: r.id, seq: r.seq, deleted: r.deleted === true })),
      lastSeq: res.last_seq,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#batcher
      .drain()
      .then(() => this.raw.close())
      .finally(() => openLocations.delete(this.#location));
    return this.#closing;
  }
}

export interface PouchStoreOptions {
  /**
   * Revisions of each doc's history PouchDB keeps (its default: 1000). Every write of a doc reads,
   * stems and rewrites that tree, so a store never replicated with PouchDB's protocol (where the
   * history settles conflicts) keeps a short one: a counter updated per write otherwise costs ~1000
   * revision ids of JSON and tree walking on each update.
   */
  revsLimit?: number;
}

/**
 * Opens (creating if needed) the durable store `<dir>/<name>`.
 * @example
 * const store = await openPouchStore('/var/lib/branchline/db', 'identity', { revsLimit: 10 });
 */
export async function openPouchStore(
  dir: string,
  name: string,
  options: PouchStoreOptions = {},
): Promise<PouchDocStore> {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new TypeError(`Invalid store name: ${name}`);
  mkdirSync(dir, { recursive: true });
  const store = new PouchDocStore(join(dir, name), name, options);
  try {
    // Surfaces a locked or corrupt database at start-up, not on the first request.
    await store.raw.info();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new StorageError('STORAGE_IO', `Cannot open store [db:${name}]`, { status: 500, cause: err });
  }
  return store;
}
