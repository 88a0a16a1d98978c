/** Metadata every stored document carries. `_rev` changes on each write. */
export interface DocMeta {
  _id: string;
  _rev: string;
}

/** A document to write: `_rev` absent to create, the current `_rev` to update. */
export type NewDoc<T extends object> = T & { _id: string; _rev?: string };
export type StoredDoc<T extends object> = T & DocMeta;

export interface WriteResult {
  id: string;
  rev: string;
}

export interface ListOptions {
  /** Only ids starting with this prefix. */
  prefix?: string;
  /** Resume after this id (exclusive), in the direction of the listing. */
  after?: string;
  limit?: number;
  descending?: boolean;
}

export interface ChangesResult {
  results: Array<{ id: string; seq: number | string; deleted: boolean }>;
  lastSeq: number | string;
}

/**
 * A database of JSON documents, one per bounded context.
 *
 * Invariants every adapter keeps (checked by `doc-store.case.test.ts`):
 * 1. Durability: a promise from `put`/`bulkPut`/`remove` resolves only after
 *    the write reached stable storage (fsync for on-disk adapters).
 * 2. Optimistic concurrency: updating needs the current `_rev`; a stale or
 *    missing `_rev` on an existing doc rejects with `STORAGE_CONFLICT`.
 * 3. Idempotent creation: ids are chosen by the caller before the first write;
 *    `create()` of an id that already holds an equal document resolves with the
 *    existing rev (a retry), a different document rejects with `STORAGE_CONFLICT`.
 * 4. `get` of a missing or deleted id resolves `undefined`, never throws.
 * 5. `list` returns documents in id order (byte order), deleted ones excluded.
 * 6. Documents round-trip exactly (JSON values); `_id` and `_rev` are set on reads.
 * 7. After `close()` every call rejects with InvalidStateError; `close()` is idempotent.
 */
export interface DocStore {
  readonly name: string;
  get<T extends object>(id: string): Promise<StoredDoc<T> | undefined>;
  put<T extends object>(doc: NewDoc<T>): Promise<WriteResult>;
  /** Creates a document whose id the caller generated; a retry is harmless (invariant 3). */
  create<T extends object>(doc: T & { _id: string }): Promise<WriteResult>;
  /** Writes many documents in one durable commit; each entry succeeds or carries its error code. */
  bulkPut<T extends object>(docs: NewDoc<T>[]): Promise<Array<WriteResult | { id: string; error: string }>>;
  remove(id: string, rev: string): Promise<void>;
  list<T extends object>(options?: ListOptions): Promise<StoredDoc<T>[]>;
  /** Changes since a sequence (non-live); used by projections and sync. */
  changes(options?: { since?: number | string; limit?: number }): Promise<ChangesResult>;
  close(): Promise<void>;
}
