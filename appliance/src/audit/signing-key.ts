import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSodium, type SodiumSign } from '../storage/index.ts';
import type { AuditSigner } from './types.ts';

const KEY_FILE = 'audit-signing.key';
const PUB_FILE = 'audit-signing.pub';

interface KeyFile {
  alg: 'ed25519';
  publicKey: string;
  secretKey: string;
}

export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', KEY_FILE);
}

async function readKeyFile(dataDir: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(signingKeyPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<KeyFile>;
  if (
    parsed.alg !== 'ed25519' ||
    typeof parsed.publicKey !== 'string' ||
    typeof parsed.secretKey !== 'string'
  ) {
    throw new TypeError(`Cannot parse audit signing key ${signingKeyPath(dataDir)}: unexpected content`);
  }
  return parsed as KeyFile;
}

/** The base64 public key from `<dataDir>/keys/audit-signing.key`, without creating one. */
export async function readAuditPublicKey(dataDir: string): Promise<string | undefined> {
  return (await readKeyFile(dataDir))?.publicKey;
}

/**
 * Loads the appliance's Ed25519 audit key, creating it on first run (mode
 * 0600; the public half is also written to `audit-signing.pub` for HQ).
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<AuditSigner> {
  const na = await loadSodium();
  let file = await readKeyFile(dataDir);
  if (!file) {
    const kp = na.crypto_sign_keypair();
    file = {
      alg: 'ed25519',
      publicKey: Buffer.from(kp.publicKey).toString('base64'),
      secretKey: Buffer.from(kp.privateKey).toString('base64'),
    };
    const dir = join(dataDir, 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${signingKeyPath(dataDir)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(file), { mode: 0o600, flag: 'wx' });
    await rename(tmp, signingKeyPath(dataDir));
    await writeFile(join(dir, PUB_FILE), `${file.publicKey}\n`, { mode: 0o644 });
  }
  await chmod(signingKeyPath(dataDir), 0o600);
  return signerFromSecret(file.publicKey, Buffer.from(file.secretKey, 'base64'), na);
}

function signerFromSecret(publicKey: string, secret: Uint8Array, na: SodiumSign): AuditSigner {
  return {
    publicKey,
    sign: (message) => Buffer.from(na.crypto_sign_detached(message, secret)).toString('base64'),
  };
}

/** A throwaway key held only in memory (unit tests, tools). */
export async function ephemeralSigner(): Promise<AuditSigner> {
  const na = await loadSodium();
  const kp = na.crypto_sign_keypair();
  return signerFromSecret(Buffer.from(kp.publicKey).toString('base64'), kp.privateKey, na);
}
