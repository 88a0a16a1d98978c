import { Bm25Index, type IndexedDoc } from './bm25.ts';
import { expandQuery } from './synonyms.ts';
import type { KbArticle, KbSearchHit, KbSearchOptions, KbUsage, KbVersion } from './types.ts';

interface Published {
  article: KbArticle;
  version: KbVersion;
}

function snippet(body: string): string {
  const flat = body
    .replace(/[#*_`>[\]()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

/**
 * The published version of each article and a BM25 index over them. Lives in
 * memory only: the service rebuilds it at load() and updates it per article on publish.
 */
export class PublishedIndex {
  #index = new Bm25Index();
  /** Published version per article, for hits without a store read. */
  #published = new Map<string, Published>();

  get(id: string): Published | undefined {
    return this.#published.get(id);
  }

  put(article: KbArticle, version: KbVersion): void {
    this.#published.set(article.id, { article, version });
    this.#index.upsert({
      id: article.id,
      title: version.title,
      body: version.body,
      tags: version.tags,
      locale: article.locale,
      visibility: version.visibility,
    });
  }

  /** Keeps the cached article's usage counts current. */
  setUsage(id: string, usage: KbUsage): void {
    const cached = this.#published.get(id);
    if (cached) cached.article = { ...cached.article, usage };
  }

  search(query: string, options: KbSearchOptions): KbSearchHit[] {
    const limit = Math.min(Math.max(options.limit ?? 10, 1), 50);
    const publicOnly = (options.visibility ?? 'public') === 'public';
    const accept = (d: IndexedDoc) =>
      (!publicOnly || d.visibility === 'public') &&
      (options.locale === undefined || d.locale === options.locale);
    return this.#index.search(expandQuery(query), { limit, accept }).map((h) => {
      const { article, version } = this.#published.get(h.id) as Published;
      return {
        articleId: article.id,
        version: version.version,
        title: version.title,
        snippet: snippet(version.body),
        locale: article.locale,
        category: version.category,
        visibility: version.visibility,
        score: Math.round(h.score * 1000) / 1000,
      };
    });
  }
}
