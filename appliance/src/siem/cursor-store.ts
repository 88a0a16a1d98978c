import type { DocStore } from '../storage/index.ts';
import type { Cursor } from './types.ts';

/**
 * The collector's cursor in the siem store, one document per collector (a new
 * collector gets the whole log). The store acknowledges only fsynced writes,
 * so a saved cursor survives a power cut.
 */
export class CursorStore {
  readonly #store: DocStore;
  readonly #id: string;
  #rev: string | undefined;

  constructor(store: DocStore, collector: string) {
    this.#store = store;
    this.#id = `cursor:${collector}`;
  }

  async load(): Promise<Cursor> {
    const doc = await this.#store.get<Cursor>(this.#id);
    if (!doc) return { seq: 0, hash: '', at: '' };
    this.#rev = doc._rev;
    return { seq: doc.seq, hash: doc.hash, at: doc.at };
  }

  async save(cursor: Cursor): Promise<void> {
    const res = await this.#store.put({
      _id: this.#id,
      ...cursor,
      ...(this.#rev === undefined ? {} : { _rev: this.#rev }),
    });
    this.#rev = res.rev;
  }
}
