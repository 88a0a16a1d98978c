import type { Agent } from 'node:https';
import path from 'node:path';
import { archiveRuleFor, hqSealer, type PouchDb } from '../../../sync/src/index.ts';
import { createLogger } from '../logging/index.ts';
import type { BranchModule } from '../modules.ts';
import type { DocStore } from '../storage/index.ts';
import { createScheduler } from '../system/index.ts';
import { RecordingArchiver } from '../voice/index.ts';
import { hqArchiveTarget } from './archive-client.ts';
import { SyncBridge } from './bridge.ts';
import { SyncBridgeError } from './errors.ts';
import { AlarmBook, readFleetFigures } from './fleet-figures.ts';
import { agentFor } from './join.ts';
import { HqJoin } from './join-service.ts';
import { type JoinedLink, loadJoin, saveJoin } from './join-store.ts';
import {
  loadClientAgent,
  loadEnrolment,
  loadHqSealKey,
  loadPinnedHqKey,
  loadTokenKey,
  withCredentials,
} from './keys.ts';
import { syncRoutes } from './routes.ts';
import type { ActiveLink } from './types.ts';

const archiveLog = createLogger('recording-archive');

function rawOf(store: DocStore): PouchDb | undefined {
  return (store as DocStore & { raw?: PouchDb }).raw;
}

/**
 * HQ sync. Runs when BRANCHLINE_HQ_URL is set (the env vars win), or from the
 * join bundle an admin confirmed on the Join HQ page (stored in the data dir,
 * resumed after a restart), and only when the stores are on disk (PouchDB):
 * then projections, replication and inbound freezes run.
 */
export const syncBridgeModule: BranchModule = {
  name: 'sync-bridge',
  async init(ctx) {
    const { config, services } = ctx;
    let bridge: SyncBridge | undefined;
    let link: ActiveLink | undefined;
    let dbs: Record<string, PouchDb> | undefined;
    /** Opens the bridge's databases once; undefined for memory stores (Deno smoke test): no replication. */
    const openDbs = async (): Promise<Record<string, PouchDb> | undefined> => {
      if (dbs) return dbs;
      const names = ['tickets', 'crm', 'audit', 'status', 'inbound', 'state', 'quarantine'] as const;
      const opened: Record<string, PouchDb> = {};
      for (const n of names) {
        const raw = rawOf(
          await ctx.openStore(
            n.startsWith('t') || n === 'crm' || n === 'audit' || n === 'status'
              ? `outbound-${n}`
              : `sync-${n}`,
          ),
        );
        if (!raw) return undefined;
        opened[n] = raw;
      }
      dbs = opened;
      return dbs;
    };
    const jobs = createScheduler();
    // From init on, so alarms raised while the listeners start are counted too.
    const alarms = new AlarmBook(services.bus);
    let reconcileScheduled = false;
    // The off-box recording archive runs with the link; its guard keeps what the policy says must reach HQ first.
    let archiver: RecordingArchiver | undefined;
    const recordings = services.recordings;
    const offGuard = recordings?.addPurgeGuard(async (r) => archiver?.guard(r));
    const startArchive = async (
      b: SyncBridge,
      spec: { branchId: string; hqUrl: string; hqSealKey: string | undefined; agent: Agent | undefined },
    ) => {
      await archiver?.close();
      archiver = undefined;
      if (!recordings) {
        archiveLog.warn('no recordings service: the recording archive does not run');
        return;
      }
      const sealer = spec.hqSealKey ? hqSealer(spec.hqSealKey) : undefined;
      archiver = new RecordingArchiver(await ctx.openStore('recording-archive'), {
        recordings,
        crypto: services.crypto,
        dir: path.join(config.dataDir, 'recordings'),
        target: hqArchiveTarget({ hqUrl: spec.hqUrl, branchId: spec.branchId, agent: spec.agent }),
        required: () => archiveRuleFor(b.policy, 'recordings') === 'archive-before-purge',
        ...(sealer
          ? {
              sealForHq: async (key: string, place: { db: string; docId: string; field: string }) =>
                (await sealer.seal(key, place)) ?? '',
            }
          : {}),
        bus: services.bus,
        logger: archiveLog,
        chunkBytes: config.recordingArchive.chunkBytes,
        everyMs: config.recordingArchive.intervalSeconds * 1000,
      }).start();
      archiveLog.info(
        `recording archive armed [branch:${spec.branchId}, policy:${archiveRuleFor(b.policy, 'recordings')}]`,
      );
    };

    const start = async (spec: {
      branchId: string;
      hqUrl: string;
      pinnedHqKey: string | undefined;
      hqSealKey: string | undefined;
      agent: Agent | undefined;
      /** Runs between construction and start (the policy in force before the first projection). */
      beforeStart?: (b: SyncBridge, state: PouchDb) => Promise<void>;
    }): Promise<SyncBridge | undefined> => {
      const opened = await openDbs();
      if (!opened) return undefined;
      const next = new SyncBridge({
        branchId: spec.branchId,
        hqUrl: spec.hqUrl,
        dbs: opened as unknown as ConstructorParameters<typeof SyncBridge>[0]['dbs'],
        bus: services.bus,
        identity: services.identity,
        crypto: services.crypto,
        tokenKey: await loadTokenKey(config.dataDir),
        pinnedHqKey: spec.pinnedHqKey,
        ...(spec.hqSealKey ? { hqSealKey: spec.hqSealKey } : {}),
        // Optional: a build without tickets projects only customers (and the reverse).
        records: {
          ...(services.tickets ? { tickets: services.tickets } : {}),
          customers: services.customers,
        },
        ...(spec.agent ? { agent: spec.agent } : {}),
        // Optional lookups: a build without knowledge or routing simply ignores that HQ content.
        content: {
          ...(services.knowledge ? { knowledge: services.knowledge } : {}),
          ...(services.routing ? { routing: services.routing } : {}),
        },
        fleet: () =>
          readFleetFigures({
            dataDir: config.dataDir,
            branchId: spec.branchId,
            health: services.health ?? (async () => ({})),
            alarms,
          }),
        audit: {
          get: <T extends object>(id: string) => services.audit.getDoc<T>(id),
          changes: (o) => services.audit.changes(o),
        },
      });
      await spec.beforeStart?.(next, opened['state'] as PouchDb);
      await next.start();
      bridge = next;
      await startArchive(next, spec);
      if (!reconcileScheduled) {
        reconcileScheduled = true;
        // Nightly, after the 02:30 backup: differences between outbound dbs and HQ, by id and revision.
        jobs.schedule('sync-reconcile', '15 3 * * *', async () => {
          await bridge?.reconcile();
        });
      }
      return next;
    };

    /** Starts (or restarts) replication from a join bundle, without restarting the appliance. */
    const startJoined = async (joined: JoinedLink): Promise<SyncBridge | undefined> => {
      const { bundle } = joined;
      await bridge?.close();
      bridge = undefined;
      const b = await start({
        branchId: bundle.branch,
        hqUrl: withCredentials(bundle.hqUrl, bundle),
        pinnedHqKey: bundle.hqControlKey,
        hqSealKey: bundle.hqSealKey,
        agent: agentFor(bundle),
        // First join: the bundle's policy is in force before start() backfills anything, so nothing
        // leaves under the built-in policy when HQ's is stricter.
        beforeStart: async (next, state) => {
          if (!(await state.get('policy').catch(() => undefined))) await next.applyPolicy(bundle.policy);
        },
      });
      if (!b) return undefined;
      // The bundle's policy applies at once (HQ's inbound copy, the same or newer, follows); after a
      // restart the stored policy may be newer already, and the bundle's is not offered as a rollback.
      if (bundle.policy.policy.version > b.policy.version || b.policy.issuedAt === new Date(0).toISOString())
        await b.applyPolicy(bundle.policy);
      link = {
        source: 'joined',
        branchId: bundle.branch,
        hqUrl: bundle.hqUrl,
        joinedAt: joined.joinedAt,
        joinedBy: joined.joinedBy,
        ...(bundle.caFingerprint ? { caFingerprint: bundle.caFingerprint } : {}),
      };
      return b;
    };

    const join = new HqJoin({
      envConfigured: config.hqUrl !== undefined,
      bus: services.bus,
      save: (bundle, by) => saveJoin(config.dataDir, services.crypto, bundle, by),
      start: async (joined) => {
        if (!(await startJoined(joined)))
          throw new SyncBridgeError('SYNC_DISABLED', 'HQ sync needs on-disk stores', { status: 409 });
      },
    });
    const routes = [
      syncRoutes({
        branchId: config.branchId,
        bridge: () => bridge,
        link: () => link,
        join,
      }),
    ];
    if (config.hqUrl) await openDbs();
    return {
      routes,
      async listen() {
        if (!config.hqUrl) {
          // Joined from the console earlier: resume from the stored bundle.
          const joined = await loadJoin(config.dataDir, services.crypto);
          if (joined) await startJoined(joined);
          return;
        }
        const enrolment = await loadEnrolment(config.hqCredentialsFile);
        const hqSealKey = await loadHqSealKey(config.dataDir, enrolment);
        const started = await start({
          branchId: config.branchId,
          hqUrl: withCredentials(config.hqUrl, enrolment),
          pinnedHqKey: (await loadPinnedHqKey(config.dataDir)) ?? enrolment.hqControlKey,
          hqSealKey,
          agent: await loadClientAgent(config.dataDir, config.branchId),
        });
        if (started) link = { source: 'env', branchId: config.branchId, hqUrl: config.hqUrl };
      },
      async close() {
        offGuard?.();
        await archiver?.close();
        await jobs.close();
        await bridge?.close();
        alarms.close();
      },
    };
  },
};
