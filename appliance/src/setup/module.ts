import type { BranchModule } from '../modules.ts';
import { setupRoutes } from './routes.ts';
import { SetupService } from './service.ts';

/** The first-run wizard's progress and the branch settings it stores (`/api/setup`). */
export const setupModule: BranchModule = {
  name: 'setup',
  async init(ctx) {
    const service = new SetupService(await ctx.openStore('setup'), {
      bus: ctx.services.bus,
      config: ctx.config,
    });
    await service.open();
    ctx.provide('setup', service);
    return { routes: [setupRoutes(service)] };
  },
};
