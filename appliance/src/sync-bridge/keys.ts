import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';

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
