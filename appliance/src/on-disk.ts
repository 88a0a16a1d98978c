import path from 'node:path';
import { loadOrCreateSigningKey } from './audit/index.ts';
import { type ComposeOptions, type Core, composeCore } from './compose.ts';
import type { Config } from './config/index.ts';
import { openCrypto, openPouchStore } from './storage/index.ts';

/** The sync bridge's stores, replicated with HQ by PouchDB's protocol: they keep PouchDB's full revision history. */
const REPLICATED = /^(outbound|sync)-/;
/**
 * Revisions per doc every other store keeps: they are never replicated, so history beyond the
 * current revision settles nothing, and a doc updated on every write (the audit head, topic
 * counters) would otherwise carry a 1000-revision tree through JSON on each update.
 */
const LOCAL_REVS_LIMIT = 10;

/**
 * The core over the real data directory: keyring, audit signing key and one
 * LevelDB per context under `<dataDir>/db/`. Used by `main.ts` and by the CLI
 * when no appliance is running (LevelDB admits one process).
 */
export async function openCoreOnDisk(
  config: Config,
  options: Omit<ComposeOptions, 'config' | 'crypto' | 'signer' | 'openStore'>,
): Promise<Core> {
  const crypto = await openCrypto(config.dataDir, { suite: config.cryptoSuite });
  try {
    const signer = await loadOrCreateSigningKey(config.dataDir);
    const dbDir = path.join(config.dataDir, 'db');
    const core = await composeCore({
      ...options,
      config,
      crypto,
      signer,
      openStore: (name) =>
        openPouchStore(dbDir, name, REPLICATED.test(name) ? {} : { revsLimit: LOCAL_REVS_LIMIT }),
    });
    const close = core.close;
    return {
      ...core,
      close: async () => {
        await close();
        crypto.close();
      },
    };
  } catch (err) {
    crypto.close();
    throw err;
  }
}
