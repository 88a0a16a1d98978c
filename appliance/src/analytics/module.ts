import type { BranchModule } from '../modules.ts';
import { analyticsRoutes } from './routes.ts';
import { AnalyticsService } from './service.ts';
import { topicSources } from './sources.ts';
import { TopicMiner } from './topics.ts';

/** Analytics: folds events already on the bus; place it after the modules whose events it reads. */
export const analyticsModule: BranchModule = {
  name: 'analytics',
  async init(ctx) {
    const { bus, crypto } = ctx.services;
    const db = await ctx.openStore('analytics');
    const service = new AnalyticsService(db, { bus, timeZone: ctx.config.timeZone });
    await service.start();
    const topics = new TopicMiner(db, {
      bus,
      sources: topicSources(ctx.services, { recordRead: (r) => ctx.recordRead(r) }),
      timeZone: ctx.config.timeZone,
      // Distinct customers are counted by a keyed hash (truncated: a count needs no more).
      pseudonym: (customerId) => crypto.blindIndex('analytics_topic', customerId).slice(0, 16),
      facts: (from, to) => service.facts(from, to),
    });
    topics.start();
    ctx.provide('analytics', service);
    return {
      routes: [analyticsRoutes(service, { recordRead: (r) => ctx.recordRead(r), topics })],
      close: async () => {
        await topics.close();
        await service.close();
      },
    };
  },
};
