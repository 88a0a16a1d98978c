import type { BranchModule } from '../modules.ts';
import { analyticsRoutes } from './routes.ts';
import { AnalyticsService } from './service.ts';

/** Analytics: folds events already on the bus; place it after the modules whose events it reads. */
export const analyticsModule: BranchModule = {
  name: 'analytics',
  async init(ctx) {
    const service = new AnalyticsService(await ctx.openStore('analytics'), { bus: ctx.services.bus });
    await service.start();
    ctx.provide('analytics', service);
    return {
      routes: [analyticsRoutes(service, { recordRead: (r) => ctx.recordRead(r) })],
      close: () => service.close(),
    };
  },
};
