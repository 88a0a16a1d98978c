/**
 * Knowledge base: zh-CN/en articles with reviewed versions, categories,
 * BM25 search with Chinese segmentation, a public search for the web widget,
 * usage counts.
 * @example
 * const kb = ctx.services.knowledge;
 * const hits = kb?.search('卡丢了怎么办', { locale: 'zh-CN', visibility: 'public', limit: 3 });
 */

export type { KnowledgeErrorCode } from './errors.ts';
/**
 * Coded knowledge errors (KNOWLEDGE_NOT_FOUND, KNOWLEDGE_SELF_REVIEW, …).
 * @example
 * if (err instanceof KnowledgeError && err.code === 'KNOWLEDGE_SELF_REVIEW') askAnotherReviewer();
 */
export { KnowledgeError } from './errors.ts';
/**
 * The module to list in module-list.ts; provides `services.knowledge`.
 * @example
 * export const MODULES = [knowledgeModule];
 */
export { knowledgeModule } from './module.ts';
/**
 * Per-address fixed-window limiter used by the public endpoints.
 * @example
 * const limiter = new RateLimiter({ limit: 60, windowMs: 60_000 });
 * if (limiter.take(ip) > 0) reject();
 */
export { RateLimiter } from './rate-limit.ts';
/**
 * The `/api/kb/*` routes.
 * @example
 * app.route('/api', knowledgeRoutes(service, { publicLimiter }));
 */
export { knowledgeRoutes } from './routes.ts';
export type { SeedArticle } from './seed.ts';
/**
 * Publishes seed articles through author → reviewer approval.
 * @example
 * await seedKnowledge(kb, { categories, articles }, { author: { userId: 'a' }, reviewer: { userId: 'b' } });
 */
export { seedKnowledge } from './seed.ts';
export type { ArticleView } from './service.ts';
/**
 * Articles, review workflow, search and usage counts.
 * @example
 * const kb = new KnowledgeService(db, { bus });
 * await kb.load();
 * kb.search('reset online banking password', { locale: 'en', visibility: 'internal' });
 */
export { KnowledgeService } from './service.ts';
/**
 * Search terms for mixed zh/en text (segmenter words + CJK bigrams/unigrams; stemmed English).
 * @example
 * tokenize('卡丢了怎么办'); // ['卡', '卡丢', '丢', '丢了']
 */
export { tokenize } from './tokenize.ts';
export type * from './types.ts';
