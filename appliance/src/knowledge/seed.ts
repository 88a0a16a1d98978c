import type { KnowledgeService } from './service.ts';
import type { KbActor, KbCategory, KbContent, KbLocale } from './types.ts';

export interface SeedArticle extends KbContent {
  id: string;
  locale: KbLocale;
}

/**
 * Publishes a set of articles through the normal review path (author
 * writes, a different reviewer approves), so seeded content is indistinguishable
 * from edited content. Idempotent: published articles are left alone.
 */
export async function seedKnowledge(
  service: KnowledgeService,
  data: { categories: KbCategory[]; articles: SeedArticle[] },
  actors: { author: KbActor; reviewer: KbActor },
): Promise<number> {
  const known = new Set((await service.listCategories()).map((c) => c.id));
  for (const c of data.categories) if (!known.has(c.id)) await service.createCategory(c, actors.author);
  let published = 0;
  for (const a of data.articles) {
    const { article, version } = await service.create(a, actors.author);
    if (article.publishedVersion !== undefined) continue;
    if (version.status === 'draft') await service.submit(a.id, actors.author);
    await service.approve(a.id, actors.reviewer);
    published++;
  }
  return published;
}
