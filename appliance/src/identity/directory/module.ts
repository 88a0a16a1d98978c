import { againIn, SupervisedLoop } from '../../events/index.ts';
import type { BranchModule } from '../../modules.ts';
import { directoryRoutes } from './routes.ts';
import { DirectoryService } from './service.ts';

/**
 * Directory sign-in (LDAP/Active Directory). The mappings and status routes
 * are always there (mappings can be prepared before the directory is set);
 * sign-in and the sync loop run when BRANCHLINE_DIRECTORY_URL is set.
 */
export const directoryModule: BranchModule = {
  name: 'directory',
  async init(ctx) {
    const { config, services } = ctx;
    const bus = services.bus;
    const directory = services.identity.attachDirectory(
      (core) =>
        new DirectoryService(core, {
          config: config.directory,
          alarm: (a) => {
            bus.publish('system.alarm_raised', a, { actor: 'system' }).catch(() => undefined);
          },
        }),
    );
    const every = (config.directory?.syncSeconds ?? 30) * 1000;
    // The pass handles an unreachable directory itself (alarm, no freeze) and
    // keeps its interval: a back-off would stretch the 60 s freeze promise.
    const loop = new SupervisedLoop(
      'directory-sync',
      async () => {
        try {
          await directory.sync();
        } catch (err) {
          if (!(err instanceof Error && 'code' in err && err.code === 'IDENTITY_DIRECTORY_UNAVAILABLE'))
            throw err;
        }
        return againIn(every);
      },
      { bus },
    );
    return {
      routes: [directoryRoutes(directory)],
      listen: async () => {
        if (config.directory) loop.start({ now: true });
      },
      close: () => loop.close(),
    };
  },
};
