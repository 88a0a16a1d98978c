import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import { type DocStore, KeyedLock } from '../storage/index.ts';
import { KnowledgeError, notFound, wrongStatus } from './errors.ts';
import { PublishedIndex } from './published-index.ts';
import { KbStore, plain } from './store.ts';
import type {
  KbActor,
  KbArticle,
  KbCategory,
  KbContent,
  KbLocale,
  KbSearchHit,
  KbSearchOptions,
  KbUsage,
  KbVersion,
} from './types.ts';

export interface ArticleView {
  article: KbArticle;
  version: KbVersion;
}

const ZERO: KbUsage = { views: 0, helpful: 0, notHelpful: 0, usedInReply: 0 };

/**
 * Knowledge base: articles with reviewed versions and a BM25 index over the
 * published version of each article. The index lives in memory, is rebuilt
 * from the store at `load()` and updated per article on publish.
 */
export class KnowledgeService {
  #store: KbStore;
  #bus: EventBus;
  #now: () => Date;
  #lock = new KeyedLock();
  #published = new PublishedIndex();

  constructor(db: DocStore, options: { bus: EventBus; now?: () => Date }) {
    this.#store = new KbStore(db);
    this.#bus = options.bus;
    this.#now = options.now ?? (() => new Date());
  }

  /** Builds the search index from the published versions in the store. */
  async load(): Promise<void> {
    for (const a of await this.#store.articles()) {
      if (a.publishedVersion === undefined) continue;
      const v = await this.#store.version(a.id, a.publishedVersion);
      if (v) this.#published.put(plain(a), plain(v));
    }
  }

  async createCategory(input: KbCategory, actor: KbActor): Promise<KbCategory> {
    await this.#store.putCategory(input);
    await this.#bus.publish('kb.category_created', { categoryId: input.id }, actor);
    return input;
  }

  /**
   * Deletes a category no article (latest or published version) and no
   * sub-category uses; otherwise KNOWLEDGE_CATEGORY_IN_USE (409) listing them.
   */
  async deleteCategory(id: string, actor: KbActor): Promise<void> {
    if (!(await this.#store.category(id))) {
      throw new KnowledgeError('KNOWLEDGE_NOT_FOUND', `No category ${id}`, { status: 404, details: { id } });
    }
    const articles: Array<{ id: string; title: string }> = [];
    for (const a of await this.#store.articles()) {
      for (const n of new Set([a.latestVersion, a.publishedVersion ?? a.latestVersion])) {
        const v = await this.#store.version(a.id, n);
        if (v?.category === id && !articles.some((x) => x.id === a.id))
          articles.push({ id: a.id, title: v.title });
      }
    }
    const categories = (await this.#store.categories()).filter((c) => c.parentId === id).map((c) => c.id);
    if (articles.length + categories.length > 0) {
      throw new KnowledgeError('KNOWLEDGE_CATEGORY_IN_USE', `Category is still used [id:${id}]`, {
        status: 409,
        details: { categoryId: id, usedBy: { articles, categories } },
      });
    }
    await this.#store.removeCategory(id);
    await this.#bus.publish('kb.category_deleted', { categoryId: id }, actor);
  }

  async listCategories(): Promise<KbCategory[]> {
    return (await this.#store.categories()).map(plain);
  }

  /** A new article with version 1 as a draft; a client-chosen id makes a retry return the same article. */
  async create(input: KbContent & { locale: KbLocale; id?: string }, actor: KbActor): Promise<ArticleView> {
    const id = input.id ?? randomUUID();
    return this.#lock.run(id, async () => {
      const prior = await this.#store.article(id);
      if (prior) return this.#view(plain(prior), prior.latestVersion);
      await this.#checkCategory(input.category);
      const at = this.#now().toISOString();
      const article: KbArticle = {
        id,
        locale: input.locale,
        latestVersion: 1,
        createdAt: at,
        usage: { ...ZERO },
      };
      const { locale: _l, id: _i, ...content } = input;
      const version: KbVersion = {
        ...content,
        articleId: id,
        version: 1,
        status: 'draft',
        authorId: actor.userId,
        createdAt: at,
        updatedAt: at,
      };
      await this.#store.putVersion(version);
      await this.#store.putArticle(article);
      await this.#bus.publish('kb.article_created', { articleId: id, locale: input.locale }, actor);
      return { article, version };
    });
  }

  /**
   * Edits the open draft, or starts a new draft from the latest version when
   * that one is published; a version in review must be approved or rejected first.
   */
  async edit(id: string, patch: Partial<KbContent>, actor: KbActor): Promise<ArticleView> {
    return this.#lock.run(id, async () => {
      const a = await this.#mustArticle(id);
      const latest = await this.#mustVersion(id, a.latestVersion);
      if (patch.category !== undefined) await this.#checkCategory(patch.category);
      const at = this.#now().toISOString();
      let next: KbVersion;
      if (latest.status === 'draft') {
        next = { ...latest, ...patch, authorId: actor.userId, updatedAt: at };
      } else if (latest.status === 'published' || latest.status === 'superseded') {
        const { _id, _rev, reviewerId, reviewComment, submittedAt, publishedAt, ...base } = latest;
        next = {
          ...base,
          ...patch,
          version: latest.version + 1,
          status: 'draft',
          authorId: actor.userId,
          createdAt: at,
          updatedAt: at,
        };
        await this.#store.putArticle({ ...a, latestVersion: next.version });
      } else {
        throw wrongStatus(latest, 'draft or published');
      }
      await this.#store.putVersion(next);
      await this.#bus.publish('kb.draft_updated', { articleId: id, version: next.version }, actor);
      return this.#view(plain(await this.#mustArticle(id)), next.version);
    });
  }

  /** draft → in_review. */
  async submit(id: string, actor: KbActor): Promise<ArticleView> {
    return this.#transition(id, async (a, v) => {
      if (v.status !== 'draft') throw wrongStatus(v, 'draft');
      const at = this.#now().toISOString();
      await this.#store.putVersion({ ...v, status: 'in_review', submittedAt: at, updatedAt: at });
      await this.#bus.publish('kb.review_requested', { articleId: a.id, version: v.version }, actor);
    });
  }

  /** in_review → published by someone other than the author; the previous published version is superseded. */
  async approve(id: string, actor: KbActor): Promise<ArticleView> {
    return this.#transition(id, async (a, v) => {
      if (v.status !== 'in_review') throw wrongStatus(v, 'in_review');
      if (v.authorId === actor.userId) {
        throw new KnowledgeError('KNOWLEDGE_SELF_REVIEW', 'An author cannot approve their own version', {
          status: 403,
          details: { articleId: a.id, version: v.version },
        });
      }
      const at = this.#now().toISOString();
      const published: KbVersion = {
        ...plain(v),
        status: 'published',
        reviewerId: actor.userId,
        publishedAt: at,
        updatedAt: at,
      };
      if (a.publishedVersion !== undefined) {
        const old = await this.#store.version(a.id, a.publishedVersion);
        if (old) await this.#store.putVersion({ ...old, status: 'superseded', updatedAt: at });
      }
      await this.#store.putVersion({ ...published, _rev: v._rev });
      const article = { ...plain(a), publishedVersion: v.version };
      await this.#store.putArticle({ ...article, _rev: a._rev });
      this.#published.put(article, published);
      await this.#bus.publish(
        'kb.article_published',
        { articleId: a.id, version: v.version, visibility: v.visibility },
        actor,
      );
    });
  }

  /** in_review → draft with the reviewer's comment. */
  async reject(id: string, actor: KbActor, options: { comment: string }): Promise<ArticleView> {
    return this.#transition(id, async (a, v) => {
      if (v.status !== 'in_review') throw wrongStatus(v, 'in_review');
      const at = this.#now().toISOString();
      await this.#store.putVersion({
        ...v,
        status: 'draft',
        reviewerId: actor.userId,
        reviewComment: options.comment,
        updatedAt: at,
      });
      await this.#bus.publish(
        'kb.review_rejected',
        { articleId: a.id, version: v.version, reviewerId: actor.userId },
        actor,
      );
    });
  }

  /** The article with a given version, or the published one (the latest when never published). */
  async get(id: string, options: { version?: number } = {}): Promise<ArticleView> {
    const a = plain(await this.#mustArticle(id));
    return this.#view(a, options.version ?? a.publishedVersion ?? a.latestVersion);
  }

  /** The published version only, as a reader (customer or widget) may see it. */
  async getPublished(id: string, options: { visibility: 'public' | 'internal' }): Promise<ArticleView> {
    const hit = this.#published.get(id);
    if (!hit || (options.visibility === 'public' && hit.version.visibility !== 'public')) throw notFound(id);
    return { article: (await this.get(id)).article, version: hit.version };
  }

  async versions(id: string): Promise<KbVersion[]> {
    await this.#mustArticle(id);
    return (await this.#store.versions(id)).map(plain);
  }

  /** Every article with its latest version, for the editor's list. */
  async list(): Promise<ArticleView[]> {
    const out: ArticleView[] = [];
    for (const a of await this.#store.articles()) out.push(await this.#view(plain(a), a.latestVersion));
    return out;
  }

  /** A page of articles in id order with their latest version; `last` resumes the listing. */
  async page(page: { limit: number; after?: string }): Promise<{ articles: ArticleView[]; last?: string }> {
    const res = await this.#store.pageArticles(page);
    const articles = await Promise.all(res.items.map((a) => this.#view(plain(a), a.latestVersion)));
    return { articles, ...(res.last === undefined ? {} : { last: res.last }) };
  }

  /**
   * BM25 search over published versions. Callers outside the console (web
   * widget, chatbot) pass `visibility: 'public'`, which is also the default.
   */
  search(query: string, options: KbSearchOptions = {}): KbSearchHit[] {
    return this.#published.search(query, options);
  }

  /** Counts a view, a helpful/not-helpful vote or a use in an agent's reply. */
  async recordUsage(
    id: string,
    kind: 'view' | 'helpful' | 'not_helpful' | 'used',
    actor: KbActor,
  ): Promise<KbUsage> {
    const usage = await this.#lock.run(id, async () => {
      const a = await this.#mustArticle(id);
      const u = { ...ZERO, ...a.usage };
      if (kind === 'view') u.views++;
      else if (kind === 'helpful') u.helpful++;
      else if (kind === 'not_helpful') u.notHelpful++;
      else u.usedInReply++;
      await this.#store.putArticle({ ...a, usage: u });
      this.#published.setUsage(id, u);
      return u;
    });
    if (kind === 'used') await this.#bus.publish('kb.article_used', { articleId: id }, actor);
    if (kind === 'helpful' || kind === 'not_helpful') {
      await this.#bus.publish('kb.article_voted', { articleId: id, helpful: kind === 'helpful' }, actor);
    }
    return usage;
  }

  async #transition(
    id: string,
    step: (
      a: Awaited<ReturnType<KbStore['article']>> & object,
      v: Awaited<ReturnType<KbStore['version']>> & object,
    ) => Promise<void>,
  ): Promise<ArticleView> {
    return this.#lock.run(id, async () => {
      const a = await this.#mustArticle(id);
      await step(a, await this.#mustVersion(id, a.latestVersion));
      return this.#view(plain(await this.#mustArticle(id)), a.latestVersion);
    });
  }

  async #view(article: KbArticle, version: number): Promise<ArticleView> {
    return { article, version: plain(await this.#mustVersion(article.id, version)) };
  }

  async #mustArticle(id: string) {
    const a = await this.#store.article(id);
    if (!a) throw notFound(id);
    return a;
  }

  async #mustVersion(id: string, version: number) {
    const v = await this.#store.version(id, version);
    if (!v) throw notFound(id, version);
    return v;
  }

  async #checkCategory(category: string): Promise<void> {
    if (!(await this.#store.category(category))) {
      throw new KnowledgeError('KNOWLEDGE_UNKNOWN_CATEGORY', `No category ${category}`, {
        details: { category },
      });
    }
  }
}
