// Shared by the sync-bridge tests: a real HQ (pouchdb-server) with one
// enrolled branch and a started SyncBridge on LevelDB in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type generatePolicyKey,
  HqConsole,
  type HqCouch,
  PouchDB,
  type PouchDb,
  startHqCouch,
} from '../../../sync/src/index.ts';
import { EventBus } from '../events/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { type CryptoFacade, openCrypto } from '../storage/index.ts';
import { type BridgeDbs, SyncBridge } from './bridge.ts';

export interface BridgeRig {
  dir: string;
  hq: HqCouch;
  hqConsole: HqConsole;
  hqKey: ReturnType<typeof generatePolicyKey>;
  bus: EventBus;
  crypto: CryptoFacade;
  dbs: BridgeDbs;
  bridge: SyncBridge;
  /** Every domain event published, with its actor. */
  events: Array<{ type: string; actor: string; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** HQ enrols `branchId` with its own rules: no card numbers, nothing over 4 KB. */
export async function startBridgeRig(branchId: string, options: { tokenByte: number }): Promise<BridgeRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bl-bridge-${branchId}-`));
  const hq = await startHqCouch({ dataDir: path.join(dir, 'hq') });
  const hqConsole = new HqConsole(hq, path.join(dir, 'hq'));
  await hqConsole.enrolBranch(branchId, { maxBytes: 4_000, forbiddenFields: ['cardNumber'] });
  // The branch pins HQ's control key: freezes, release requests and policies are signed with it.
  const hqKey = (await hqConsole.keys()).control;
  const bus = new EventBus();
  const events: BridgeRig['events'] = [];
  bus.subscribe('*', (e) => {
    events.push({ type: e.type, actor: e.actor, data: e.data as Record<string, unknown> });
  });
  const crypto = await openCrypto(dir);
  const dbs = openBridgeDbs(dir);
  const bridge = new SyncBridge({
    branchId,
    hqUrl: hq.url,
    dbs,
    bus,
    identity: {} as IdentityService,
    crypto,
    tokenKey: Buffer.alloc(32, options.tokenByte),
    pinnedHqKey: hqKey.publicKey,
    audit: { get: async () => undefined, changes: async () => ({ results: [], lastSeq: 0 }) },
  });
  await bridge.start();
  return {
    dir,
    hq,
    hqConsole,
    hqKey,
    bus,
    crypto,
    dbs,
    bridge,
    events,
    async close() {
      await bridge.close();
      for (const db of Object.values(dbs)) await db.close();
      crypto.close();
      bus.close();
      await hqConsole.close();
      await hq.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The seven bridge databases on LevelDB under `dir`, named as module.ts names them. */
export function openBridgeDbs(dir: string): BridgeDbs {
  const open = (n: string): PouchDb => new PouchDB(path.join(dir, n));
  return {
    tickets: open('outbound-tickets'),
    crm: open('outbound-crm'),
    audit: open('outbound-audit'),
    status: open('outbound-status'),
    inbound: open('sync-inbound'),
    state: open('sync-state'),
    quarantine: open('sync-quarantine'),
  };
}

/** Polls `check` every 100 ms until true or `ms` has passed; returns the last answer. */
export async function until(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
