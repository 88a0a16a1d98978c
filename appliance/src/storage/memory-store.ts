import { isDeepStrictEqual } from 'node:util';
import { InvalidStateError } from '../contracts/index.ts';
import { conflict, StorageError } from './errors.ts';
import type { ChangesResult, DocStore, ListOptions, NewDoc, StoredDoc, WriteResult } from './types.ts';
import { validateDoc } from './validate.ts';

interface Entry {
  rev: string;
  body: string;
  seq: number;
  deleted: boolean;
}

/** In-memory DocStore for unit tests. Keeps every invariant except surviving a restart. */
export class MemoryDocStore implements DocStore {
  readonly name: string;
  #docs = new Map<string, Entry>();
  #seq = 0;
  #closed = false;

  constructor(name = 'memory') {
    this.name = name;
  }

  #open(): void {
    if (this.#closed) throw new InvalidStateError(`Store is closed [db:${this.name}]`);
  }

  async get<T extends object>(id: string): Promise<StoredDoc<T> | undefined> {
    this.#open();
    const e = this.#docs.get(id);
    if (!e || e.deleted) return undefined;
    return { ...(JSON.parse(e.body) as T), _id: id, _rev: e.rev };
  }

  #write(doc: NewDoc<object>): WriteResult {
    validateDoc(doc);
    const cur = this.#docs.get(doc._id);
    const live = cur && !cur.deleted;
    if (live ? doc._rev !== cur.rev : doc._rev !== undefined && doc._rev !== cur?.rev)
      throw conflict(doc._id);
    const { _id, _rev, ...body } = doc;
    const gen = cur ? Number.parseInt(cur.rev, 10) + 1 : 1;
    const rev = `${gen}-${Math.random().toString(16).slice(2, 10)}`;
    this.#docs.set(_id, { rev, body: JSON.stringify(body), seq: ++this.#seq, deleted: false });
    return { id: _id, rev };
  }

  async put<T extends object>(doc: NewDoc<T>): Promise<WriteResult> {
    this.#open();
    return this.#write(doc);
  }

  async create<T extends object>(doc: T & { _id: string }): Promise<WriteResult> {
    this.#open();
    const existing = await this.get<object>(doc._id);
    if (existing) {
      const { _rev, ...rest } = existing;
      if (isDeepStrictEqual(rest, JSON.parse(JSON.stringify(doc)))) return { id: doc._id, rev: _rev };
      throw conflict(doc._id);
    }
    return this.#write(doc);
  }

  async bulkPut<T extends object>(
    docs: NewDoc<T>[],
  ): Promise<Array<WriteResult | { id: string; error: string }>> {
    this.#open();
    return docs.map((d) => {
      try {
        return this.#write(d);
      } catch (err) {
        return { id: d._id, error: err instanceof StorageError ? err.code : 'STORAGE_IO' };
      }
    });
  }

  async remove(id: string, rev: string): Promise<void> {
    this.#open();
    const cur = this.#docs.get(id);
    if (!cur || cur.deleted || cur.rev !== rev) throw conflict(id);
    const gen = Number.parseInt(cur.rev, 10) + 1;
    this.#docs.set(id, { rev: `${gen}-deleted`, body: '{}', seq: ++this.#seq, deleted: true });
  }

  async list<T extends object>(options: ListOptions = {}): Promise<StoredDoc<T>[]> {
    this.#open();
    const prefix = options.prefix ?? '';
    let ids = [...this.#docs.keys()].filter((id) => id.startsWith(prefix) && !this.#docs.get(id)?.deleted);
    ids.sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1));
    if (options.descending) ids.reverse();
    if (options.after !== undefined) {
      const after = options.after;
      ids = ids.filter((id) => (options.descending ? id < after : id > after));
    }
    if (options.limit !== undefined) ids = ids.slice(0, options.limit);
    const out: StoredDoc<T>[] = [];
    for (const id of ids) {
      const d = await this.get<T>(id);
      if (d) out.push(d);
    }
    return out;
  }

  async changes(options: { since?: number | string; limit?: number } = {}): Promise<ChangesResult> {
    this.#open();
    const since = Number(options.since ?? 0);
    let rows = [...this.#docs.entries()]
      .filter(([, e]) => e.seq > since)
      .sort((a, b) => a[1].seq - b[1].seq)
      .map(([id, e]) => ({ id, seq: e.seq, deleted: e.deleted }));
    if (options.limit !== undefined) rows = rows.slice(0, options.limit);
    return { results: rows, lastSeq: rows.at(-1)?.seq ?? since };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
