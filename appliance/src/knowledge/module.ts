import type { BranchModule } from '../modules.ts';
import { RateLimiter } from './rate-limit.ts';
import { knowledgeRoutes } from './routes.ts';
import { KnowledgeService } from './service.ts';

/** Public KB searches allowed per client address per minute (the widget debounces typing). */
const PUBLIC_SEARCHES_PER_MINUTE = 60;

export const knowledgeModule: BranchModule = {
  name: 'knowledge',
  async init(ctx) {
    // Articles hold no personal data (editors are told so), so the store is not encrypted.
    const db = await ctx.openStore('knowledge');
    const service = new KnowledgeService(db, { bus: ctx.services.bus });
    await service.load();
    ctx.provide('knowledge', service);
    const publicLimiter = new RateLimiter({ limit: PUBLIC_SEARCHES_PER_MINUTE, windowMs: 60_000 });
    return { routes: [knowledgeRoutes(service, { publicLimiter })] };
  },
};
