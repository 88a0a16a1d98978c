import { type DocStore, type StoredDoc, walkIndex } from '../storage/index.ts';
import type { KbArticle, KbCategory, KbVersion } from './types.ts';

const pad = (n: number) => String(n).padStart(6, '0');
export const articleKey = (id: string) => `art:${id}`;
export const versionKey = (id: string, v: number) => `ver:${id}:${pad(v)}`;
export const categoryKey = (id: string) => `cat:${id}`;

/** Typed access to the knowledge database: `art:` heads, `ver:` versions, `cat:` categories. */
export class KbStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  article(id: string): Promise<StoredDoc<KbArticle> | undefined> {
    return this.#db.get<KbArticle>(articleKey(id));
  }

  async putArticle(a: KbArticle & { _rev?: string }): Promise<void> {
    await this.#db.put({ ...a, _id: articleKey(a.id) });
  }

  version(id: string, v: number): Promise<StoredDoc<KbVersion> | undefined> {
    return this.#db.get<KbVersion>(versionKey(id, v));
  }

  async putVersion(v: KbVersion & { _rev?: string }): Promise<void> {
    await this.#db.put({ ...v, _id: versionKey(v.articleId, v.version) });
  }

  versions(id: string): Promise<StoredDoc<KbVersion>[]> {
    return this.#db.list<KbVersion>({ prefix: `ver:${id}:` });
  }

  articles(): Promise<StoredDoc<KbArticle>[]> {
    return this.#db.list<KbArticle>({ prefix: 'art:' });
  }

  /** A page of article heads in id order; `last` is the id to resume after. */
  pageArticles(page: { limit: number; after?: string }) {
    return walkIndex<KbArticle, StoredDoc<KbArticle>>(this.#db, {
      prefixes: ['art:'],
      limit: page.limit,
      after: page.after,
      load: async (heads) => heads,
    });
  }

  categories(): Promise<StoredDoc<KbCategory>[]> {
    return this.#db.list<KbCategory>({ prefix: 'cat:' });
  }

  category(id: string): Promise<StoredDoc<KbCategory> | undefined> {
    return this.#db.get<KbCategory>(categoryKey(id));
  }

  async removeCategory(id: string): Promise<void> {
    const doc = await this.category(id);
    if (doc) await this.#db.remove(doc._id, doc._rev);
  }

  async putCategory(c: KbCategory): Promise<void> {
    const prior = await this.category(c.id);
    await this.#db.put({ ...c, _id: categoryKey(c.id), ...(prior ? { _rev: prior._rev } : {}) });
  }
}

/** Strips storage metadata before a document leaves the context. */
export function plain<T extends object>(doc: StoredDoc<T>): T {
  const { _id, _rev, ...rest } = doc;
  return rest as unknown as T;
}
