import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JoinBundle } from '../../../sync/src/index.ts';
import type { CryptoFacade } from '../storage/index.ts';
import { SyncBridgeError } from './errors.ts';

/** The stored join: the bundle with its password sealed by the appliance's key ring, and who joined when. */
interface StoredJoin {
  bundle: Omit<JoinBundle, 'password'>;
  passwordSealed: string;
  joinedAt: string;
  joinedBy: string;
}

export interface JoinedLink {
  bundle: JoinBundle;
  joinedAt: string;
  joinedBy: string;
}

const CTX = { db: 'sync', docId: 'hq-join', field: 'password' };

function fileOf(dataDir: string): string {
  return path.join(dataDir, 'sync', 'hq-join.json');
}

/** Writes `<dataDir>/sync/hq-join.json` (0600); the branch password is encrypted at rest like other secrets. */
export async function saveJoin(
  dataDir: string,
  crypto: CryptoFacade,
  bundle: JoinBundle,
  joinedBy: string,
): Promise<JoinedLink> {
  const { password, ...rest } = bundle;
  const joinedAt = new Date().toISOString();
  const stored: StoredJoin = {
    bundle: rest,
    passwordSealed: await crypto.encrypt(password, 'sync', CTX),
    joinedAt,
    joinedBy,
  };
  const file = fileOf(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return { bundle, joinedAt, joinedBy };
}

/** The stored join, if the branch joined HQ from its console; an unreadable file is a coded error. */
export async function loadJoin(dataDir: string, crypto: CryptoFacade): Promise<JoinedLink | undefined> {
  const file = fileOf(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as StoredJoin;
    const password = await crypto.decrypt(stored.passwordSealed, CTX);
    return {
      bundle: { ...stored.bundle, password } as JoinBundle,
      joinedAt: stored.joinedAt,
      joinedBy: stored.joinedBy,
    };
  } catch (err) {
    throw new SyncBridgeError('SYNC_ENROLMENT_UNREADABLE', `Cannot read the stored HQ join ${file}`, {
      cause: err,
    });
  }
}
