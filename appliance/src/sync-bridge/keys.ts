import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { SyncBridgeError } from './errors.ts';

/** The branch pseudonym key (`<dataDir>/keys/sync-token.key`, 0600): HQ never holds it. */
export async function loadTokenKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'keys', 'sync-token.key');
  if (existsSync(file)) return readFile(file);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600, flag: 'wx' });
  return key;
}

/** The pinned HQ policy key (`<dataDir>/sync/hq-policy.pub`, base64url raw Ed25519), set at enrolment. */
export async function loadPinnedHqKey(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, 'sync', 'hq-policy.pub');
  return existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
}

/**
 * The mTLS agent with the branch client certificate issued by the HQ CA
 * (`certs/make-local-ca.sh hq-client`), when `<dataDir>/sync/` holds one.
 */
export async function loadClientAgent(dataDir: string, branchId: string): Promise<https.Agent | undefined> {
  const dir = path.join(dataDir, 'sync');
  const cert = path.join(dir, `branch-${branchId}.crt`);
  const key = path.join(dir, 'private', `branch-${branchId}.key`);
  const ca = path.join(dir, 'hq-ca.crt');
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return new https.Agent({
    cert: await readFile(cert),
    key: await readFile(key),
    ...(existsSync(ca) ? { ca: await readFile(ca) } : {}),
    keepAlive: true,
  });
}

/** What the branch holds from its HQ enrolment (BRANCHLINE_HQ_CREDENTIALS_FILE). */
export interface HqEnrolment {
  username?: string;
  password?: string;
  hqControlKey?: string;
  hqSealKey?: string;
}

/** Reads the enrolment bundle; a missing or malformed file is a coded start-up error, not a crash later. */
export async function loadEnrolment(file: string | undefined): Promise<HqEnrolment> {
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SyncBridgeError('SYNC_ENROLMENT_UNREADABLE', `Cannot read HQ enrolment bundle ${file}`, {
      cause: err,
    });
  }
  const b = (parsed ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? { [k]: b[k] as string } : {});
  const out: HqEnrolment = {
    ...str('username'),
    ...str('password'),
    ...str('hqControlKey'),
    ...str('hqSealKey'),
  };
  if (!out.username || !out.password)
    throw new SyncBridgeError(
      'SYNC_ENROLMENT_UNREADABLE',
      `HQ enrolment bundle ${file} lacks username/password`,
    );
  return out;
}

/** HQ's sealing key (`<dataDir>/sync/hq-seal.pub`, else the enrolment bundle's); undefined: sealed fields stay home. */
export async function loadHqSealKey(dataDir: string, enrolment: HqEnrolment): Promise<string | undefined> {
  const file = path.join(dataDir, 'sync', 'hq-seal.pub');
  return existsSync(file) ? (await readFile(file, 'utf8')).trim() : enrolment.hqSealKey;
}

/** The HQ URL with the branch's credentials as userinfo (PouchDB sends them as HTTP basic). */
export function withCredentials(hqUrl: string, enrolment: HqEnrolment): string {
  if (!enrolment.username || !enrolment.password) return hqUrl;
  const u = new URL(hqUrl);
  u.username = encodeURIComponent(enrolment.username);
  u.password = encodeURIComponent(enrolment.password);
  return u.toString().replace(/\/+$/, '');
}
