import { isDeepStrictEqual } from 'node:util';
import type { CryptoFacade } from './crypto/facade.ts';
import { conflict, StorageError } from './errors.ts';
import type { ChangesResult, DocStore, ListOptions, NewDoc, StoredDoc, WriteResult } from './types.ts';

export interface EncryptedDocStoreOptions {
  crypto: CryptoFacade;
  /** Top-level fields whose string values are encrypted; every other field stays in clear. */
  fields: string[];
  /** Data key per document, e.g. `(d) => 'cust:' + d.customerId` for crypto-shredding. Default `'pii'`. */
  keyIdFor?: (doc: Record<string, unknown>) => string;
}

/**
 * DocStore decorator that encrypts chosen fields before they reach the inner
 * store and decrypts them on the way out. Ciphertexts are bound to
 * (db, id, field, key id). A field whose customer key was shredded reads as
 * `null`; any other decryption failure rejects with STORAGE_DECRYPT_FAILED.
 */
export class EncryptedDocStore implements DocStore {
  readonly name: string;
  #inner: DocStore;
  #crypto: CryptoFacade;
  #fields: string[];
  #keyIdFor: (doc: Record<string, unknown>) => string;
  #unregister: () => void;

  constructor(inner: DocStore, options: EncryptedDocStoreOptions) {
    if (options.fields.some((f) => f.startsWith('_'))) throw new TypeError('Cannot encrypt metadata fields');
    this.name = inner.name;
    this.#inner = inner;
    this.#crypto = options.crypto;
    this.#fields = [...options.fields];
    this.#keyIdFor = options.keyIdFor ?? (() => 'pii');
    this.#unregister = this.#crypto.register(this);
  }

  async #seal<D extends { _id: string }>(doc: D): Promise<D> {
    const out: Record<string, unknown> = { ...doc };
    const present = this.#fields.filter((f) => out[f] !== undefined && out[f] !== null);
    if (present.length === 0) return out as D;
    const keyId = this.#keyIdFor(out);
    for (const field of present) {
      const value = out[field];
      if (typeof value !== 'string') throw new TypeError(`Encrypted field must be a string [field:${field}]`);
      out[field] = await this.#crypto.encrypt(value, keyId, { db: this.name, docId: doc._id, field });
    }
    return out as D;
  }

  async #open<T extends object>(doc: StoredDoc<T>): Promise<StoredDoc<T>> {
    const out: Record<string, unknown> = { ...(doc as object) };
    for (const field of this.#fields) {
      const value = out[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        throw new StorageError(
          'STORAGE_DECRYPT_FAILED',
          `Field is not ciphertext [id:${doc._id}, field:${field}]`,
        );
      }
      try {
        out[field] = await this.#crypto.decrypt(value, { db: this.name, docId: doc._id, field });
      } catch (err) {
        if (!(err instanceof StorageError) || err.code !== 'STORAGE_KEY_SHREDDED') throw err;
        out[field] = null;
      }
    }
    return out as StoredDoc<T>;
  }

  async get<T extends object>(id: string): Promise<StoredDoc<T> | undefined> {
    const doc = await this.#inner.get<T>(id);
    return doc && this.#open(doc);
  }

  async put<T extends object>(doc: NewDoc<T>): Promise<WriteResult> {
    return this.#inner.put(await this.#seal(doc));
  }

  async create<T extends object>(doc: T & { _id: string }): Promise<WriteResult> {
    const { _rev, ...fresh } = doc as T & { _id: string; _rev?: string };
    // Random nonces make each encryption differ, so a retry is recognised by its plaintext.
    const matches = async (): Promise<WriteResult | undefined> => {
      const existing = await this.get<object>(doc._id);
      if (!existing) return undefined;
      const { _rev: rev, ...rest } = existing;
      if (isDeepStrictEqual(rest, JSON.parse(JSON.stringify(fresh)))) return { id: doc._id, rev };
      throw conflict(doc._id);
    };
    const retry = await matches();
    if (retry) return retry;
    try {
      return await this.#inner.create(await this.#seal(fresh));
    } catch (err) {
      if (!(err instanceof StorageError) || err.code !== 'STORAGE_CONFLICT') throw err;
      const raced = await matches();
      if (raced) return raced;
      throw err;
    }
  }

  async bulkPut<T extends object>(
    docs: NewDoc<T>[],
  ): Promise<Array<WriteResult | { id: string; error: string }>> {
    const sealed = await Promise.all(docs.map((d) => this.#seal(d)));
    return this.#inner.bulkPut(sealed);
  }

  remove(id: string, rev: string): Promise<void> {
    return this.#inner.remove(id, rev);
  }

  async list<T extends object>(options?: ListOptions): Promise<StoredDoc<T>[]> {
    const docs = await this.#inner.list<T>(options);
    return Promise.all(docs.map((d) => this.#open(d)));
  }

  changes(options?: { since?: number | string; limit?: number }): Promise<ChangesResult> {
    return this.#inner.changes(options);
  }

  /**
   * The re-encryption job of an online suite migration (after
   * `CryptoFacade.setSuite()`): rewrites every document holding an envelope of
   * another suite under the current one, `pageSize` documents at a time. A
   * document updated meanwhile is sealed under the new suite by that write and
   * is skipped; a document whose key was shredded is left as it is (nothing can
   * open it). Idempotent: a second run rewrites nothing.
   */
  async reencrypt(options: { pageSize?: number } = {}): Promise<{ rewritten: number; skipped: number }> {
    const limit = options.pageSize ?? 200;
    let rewritten = 0;
    let skipped = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.#inner.list<Record<string, unknown>>(
        after === undefined ? { limit } : { limit, after },
      );
      for (const raw of page) {
        const stale = this.#fields.filter(
          (f) => typeof raw[f] === 'string' && this.#crypto.isStale(raw[f] as string),
        );
        if (stale.length === 0) continue;
        const outcome = await this.#rewrite(raw);
        if (outcome) rewritten++;
        else skipped++;
      }
      if (page.length < limit) return { rewritten, skipped };
      after = page.at(-1)?._id;
    }
  }

  async #rewrite(raw: StoredDoc<Record<string, unknown>>): Promise<boolean> {
    const open: Record<string, unknown> = { ...raw };
    for (const field of this.#fields) {
      const value = raw[field];
      if (typeof value !== 'string') continue;
      try {
        open[field] = await this.#crypto.decrypt(value, { db: this.name, docId: raw._id, field });
      } catch (err) {
        if (err instanceof StorageError && err.code === 'STORAGE_KEY_SHREDDED') return false;
        throw err;
      }
    }
    try {
      await this.#inner.put(await this.#seal(open as NewDoc<Record<string, unknown>>));
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_CONFLICT') return false;
      throw err;
    }
  }

  /** Closes the inner store; the CryptoFacade is shared and closed by its owner. */
  close(): Promise<void> {
    this.#unregister();
    return this.#inner.close();
  }
}
