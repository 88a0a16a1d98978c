import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCrypto } from '../../appliance/src/storage/index.ts';
import {
  defaultPolicy,
  HybridClock,
  OutboundProjector,
  PouchDB,
  type PouchDb,
  type ResidencyPolicy,
} from '../../sync/src/index.ts';

/** A branch side for sync tests: real LevelDB outbound databases and the real CryptoFacade as sealer. */
export async function makeBranch(branchId: string, policy: ResidencyPolicy = defaultPolicy()) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bl-sync-${branchId}-`));
  const crypto = await openCrypto(dir);
  const open = (n: string) => new PouchDB(path.join(dir, n));
  const dbs = { tickets: open('outbound-tickets'), crm: open('outbound-crm'), audit: open('outbound-audit') };
  const state = open('sync-state');
  let current = policy;
  const projector = new OutboundProjector({
    branchId,
    policy: () => current,
    dbs,
    state,
    tokenKey: Buffer.alloc(32, 7),
    sealer: { seal: (v, ctx) => crypto.encrypt(v, 'sync-seal', ctx) },
    clock: new HybridClock(branchId),
  });
  return {
    dir,
    dbs,
    projector,
    setPolicy(p: ResidencyPolicy) {
      current = p;
    },
    async close() {
      for (const db of [...Object.values(dbs), state] as PouchDb[]) await db.close();
      crypto.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns true or the deadline passes; returns whether it did. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}
