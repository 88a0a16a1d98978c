import { tokenize } from './tokenize.ts';

/** What the index holds per document: searchable text and the filters a query may apply. */
export interface IndexedDoc {
  id: string;
  title: string;
  body: string;
  tags: readonly string[];
  locale: string;
  visibility: string;
}

export interface IndexHit {
  id: string;
  score: number;
}

export interface Bm25Options {
  k1?: number;
  b?: number;
  /** Weight of a title occurrence relative to a body one. */
  titleBoost?: number;
  tagBoost?: number;
}

interface Entry {
  doc: IndexedDoc;
  /** Field-weighted term frequencies (BM25F-style: one length, weighted counts). */
  tf: Map<string, number>;
  length: number;
}

/**
 * A small in-memory BM25 index with field boosts. Updated one document at a
 * time (`upsert`/`remove`) so publishing an article never rebuilds the index.
 */
export class Bm25Index {
  #k1: number;
  #b: number;
  #titleBoost: number;
  #tagBoost: number;
  #docs = new Map<string, Entry>();
  #postings = new Map<string, Set<string>>();
  #totalLength = 0;

  constructor(options: Bm25Options = {}) {
    this.#k1 = options.k1 ?? 1.2;
    this.#b = options.b ?? 0.75;
    this.#titleBoost = options.titleBoost ?? 3;
    this.#tagBoost = options.tagBoost ?? 2;
  }

  get size(): number {
    return this.#docs.size;
  }

  has(id: string): boolean {
    return this.#docs.has(id);
  }

  upsert(doc: IndexedDoc): void {
    this.remove(doc.id);
    const tf = new Map<string, number>();
    const add = (text: string, weight: number) => {
      for (const t of tokenize(text)) tf.set(t, (tf.get(t) ?? 0) + weight);
    };
    add(doc.title, this.#titleBoost);
    add(doc.tags.join(' '), this.#tagBoost);
    add(doc.body, 1);
    let length = 0;
    for (const [term, n] of tf) {
      length += n;
      let set = this.#postings.get(term);
      if (!set) {
        set = new Set();
        this.#postings.set(term, set);
      }
      set.add(doc.id);
    }
    this.#docs.set(doc.id, { doc, tf, length });
    this.#totalLength += length;
  }

  remove(id: string): void {
    const entry = this.#docs.get(id);
    if (!entry) return;
    for (const term of entry.tf.keys()) {
      const set = this.#postings.get(term);
      set?.delete(id);
      if (set?.size === 0) this.#postings.delete(term);
    }
    this.#totalLength -= entry.length;
    this.#docs.delete(id);
  }

  /** Top `limit` documents for the query among those `accept` lets through, best first. */
  search(query: string, options: { limit: number; accept?: (doc: IndexedDoc) => boolean }): IndexHit[] {
    const n = this.#docs.size;
    if (n === 0) return [];
    const avg = this.#totalLength / n;
    const terms = new Map<string, number>();
    for (const t of tokenize(query)) terms.set(t, (terms.get(t) ?? 0) + 1);
    const scores = new Map<string, number>();
    for (const [term, qtf] of terms) {
      const ids = this.#postings.get(term);
      if (!ids) continue;
      const idf = Math.log(1 + (n - ids.size + 0.5) / (ids.size + 0.5));
      for (const id of ids) {
        const e = this.#docs.get(id) as Entry;
        const f = e.tf.get(term) ?? 0;
        const norm = f + this.#k1 * (1 - this.#b + (this.#b * e.length) / avg);
        scores.set(id, (scores.get(id) ?? 0) + qtf * idf * ((f * (this.#k1 + 1)) / norm));
      }
    }
    const hits: IndexHit[] = [];
    for (const [id, score] of scores) {
      const e = this.#docs.get(id) as Entry;
      if (!options.accept || options.accept(e.doc)) hits.push({ id, score });
    }
    hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
    return hits.slice(0, options.limit);
  }
}
