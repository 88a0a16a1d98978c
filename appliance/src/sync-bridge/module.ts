import type { PouchDb } from '../../../sync/src/index.ts';
import type { BranchModule } from '../modules.ts';
import type { DocStore } from '../storage/index.ts';
import { createScheduler } from '../system/index.ts';
import { SyncBridge } from './bridge.ts';
import { AlarmBook, readFleetFigures } from './fleet-figures.ts';
import {
  loadClientAgent,
  loadEnrolment,
  loadHqSealKey,
  loadPinnedHqKey,
  loadTokenKey,
  withCredentials,
} from './keys.ts';
import { syncRoutes } from './routes.ts';
import './types.ts';

function rawOf(store: DocStore): PouchDb | undefined {
  return (store as DocStore & { raw?: PouchDb }).raw;
}

/**
 * HQ sync. Does nothing unless BRANCHLINE_HQ_URL is set and the stores are on
 * disk (PouchDB): then projections, replication and inbound freezes run from `listen()`.
 */
export const syncBridgeModule: BranchModule = {
  name: 'sync-bridge',
  async init(ctx) {
    const { config, services } = ctx;
    let bridge: SyncBridge | undefined;
    const routes = [
      syncRoutes({
        branchId: config.branchId,
        ...(config.hqUrl ? { hqUrl: config.hqUrl } : {}),
        bridge: () => bridge,
      }),
    ];
    if (!config.hqUrl) return { routes };
    const names = ['tickets', 'crm', 'audit', 'status', 'inbound', 'state', 'quarantine'] as const;
    const dbs: Record<string, PouchDb> = {};
    for (const n of names) {
      const raw = rawOf(
        await ctx.openStore(
          n.startsWith('t') || n === 'crm' || n === 'audit' || n === 'status' ? `outbound-${n}` : `sync-${n}`,
        ),
      );
      if (!raw) return { routes }; // memory stores (Deno smoke test): no replication
      dbs[n] = raw;
    }
    const jobs = createScheduler();
    // From init on, so alarms raised while the listeners start are counted too.
    const alarms = new AlarmBook(services.bus);
    return {
      routes,
      async listen() {
        const enrolment = await loadEnrolment(config.hqCredentialsFile);
        const hqSealKey = await loadHqSealKey(config.dataDir, enrolment);
        const pinnedHqKey = (await loadPinnedHqKey(config.dataDir)) ?? enrolment.hqControlKey;
        bridge = new SyncBridge({
          branchId: config.branchId,
          hqUrl: withCredentials(config.hqUrl as string, enrolment),
          dbs: dbs as unknown as ConstructorParameters<typeof SyncBridge>[0]['dbs'],
          bus: services.bus,
          identity: services.identity,
          crypto: services.crypto,
          tokenKey: await loadTokenKey(config.dataDir),
          pinnedHqKey,
          ...(hqSealKey ? { hqSealKey } : {}),
          // Optional: a build without tickets projects only customers (and the reverse).
          records: {
            ...(services.tickets ? { tickets: services.tickets } : {}),
            customers: services.customers,
          },
          ...(await loadClientAgent(config.dataDir, config.branchId).then((a) => (a ? { agent: a } : {}))),
          // Optional lookups: a build without knowledge or routing simply ignores that HQ content.
          content: {
            ...(services.knowledge ? { knowledge: services.knowledge } : {}),
            ...(services.routing ? { routing: services.routing } : {}),
          },
          fleet: () =>
            readFleetFigures({
              dataDir: config.dataDir,
              branchId: config.branchId,
              health: services.health ?? (async () => ({})),
              alarms,
            }),
          audit: {
            get: <T extends object>(id: string) => services.audit.getDoc<T>(id),
            changes: (o) => services.audit.changes(o),
          },
        });
        await bridge.start();
        const b = bridge;
        // Nightly, after the 02:30 backup: differences between outbound dbs and HQ, by id and revision.
        jobs.schedule('sync-reconcile', '15 3 * * *', async () => {
          await b.reconcile();
        });
      },
      async close() {
        await jobs.close();
        await bridge?.close();
        alarms.close();
      },
    };
  },
};
