import type { BranchModule } from '../modules.ts';
import { setupRoutes } from './routes.ts';
import { SetupService } from './service.ts';

/**
 * The first-run wizard's progress and the branch settings it stores (`/api/setup`).
 * At runtime: the phone region (customers' number parsing); the time zone goes into the
 * business-hours calendar the wizard writes; the language into the console and the widget snippet.
 */
export const setupModule: BranchModule = {
  name: 'setup',
  async init(ctx) {
    const { customers } = ctx.services;
    const service = new SetupService(await ctx.openStore('setup'), {
      bus: ctx.services.bus,
      config: ctx.config,
      // The wizard's phone region applies at once to how customers' numbers are read;
      // a region from the environment is already in force and stays.
      onBranch: (view) => {
        if (view.sources.phoneRegion === 'wizard') customers.setPhoneRegion(view.branch.phoneRegion);
      },
    });
    await service.open();
    ctx.provide('setup', service);
    return { routes: [setupRoutes(service)] };
  },
};
