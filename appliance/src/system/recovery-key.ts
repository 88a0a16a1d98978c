import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../logging/index.ts';
import { SystemError } from './errors.ts';
import { recoveryPublicKey } from './recovery-wrap.ts';

const log = createLogger('system');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const KEY_BYTES = 32;
const CHECK_BYTES = 3; // 35 bytes = 280 bits = 56 base32 characters, no padding

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function checksum(key: Uint8Array): Buffer {
  return createHash('sha256').update('branchline-recovery-key').update(key).digest().subarray(0, CHECK_BYTES);
}

/** Printable form: 56 base32 characters in groups of 4; the last 3 bytes are a checksum that catches typos. */
export function formatRecoveryKey(key: Uint8Array): string {
  if (key.length !== KEY_BYTES)
    throw new RangeError(`Cannot format recovery key: expected ${KEY_BYTES} bytes`);
  const text = base32(Buffer.concat([key, checksum(key)]));
  return text.match(/.{1,4}/g)!.join('-');
}

/** Accepts the printable form with any dashes, spaces and letter case. */
export function parseRecoveryKey(text: string): Uint8Array {
  const clean = text.replace(/[\s-]/g, '').toUpperCase();
  const bytes = clean.length === 56 ? unbase32(clean) : undefined;
  const key = bytes?.subarray(0, KEY_BYTES);
  if (!bytes || !key || !checksum(key).equals(bytes.subarray(KEY_BYTES))) {
    throw new SystemError('SYSTEM_RECOVERY_KEY_INVALID', 'Recovery key is malformed or mistyped');
  }
  return key;
}

/** Where appliances before the verifier kept the recovery key in plain text (migrated away). */
export function legacyRecoveryKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'recovery.key');
}

/** The only recovery material on the box: the public key backups are sealed to. */
export function recoveryVerifierPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'recovery.verifier.json');
}

interface VerifierFile {
  v: 1;
  alg: 'x25519';
  publicKey: string;
  createdAt: string;
}

function verifierText(key: Uint8Array): string {
  const file: VerifierFile = {
    v: 1,
    alg: 'x25519',
    publicKey: recoveryPublicKey(key).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  return `${JSON.stringify(file)}\n`;
}

/** The recovery public key from the verifier; undefined when there is none. */
export async function readRecoveryPublicKey(dataDir: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(recoveryVerifierPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const file = JSON.parse(text) as Partial<VerifierFile>;
  const pk = Buffer.from(String(file.publicKey ?? ''), 'base64');
  if (file.v !== 1 || file.alg !== 'x25519' || pk.length !== 32) {
    throw new SystemError('SYSTEM_RECOVERY_KEY_INVALID', 'Recovery verifier file is malformed');
  }
  return pk;
}

/** True when `text` is this appliance's recovery key (checked against the verifier, not a stored key). */
export async function checkRecoveryKey(dataDir: string, text: string): Promise<boolean> {
  const pk = await readRecoveryPublicKey(dataDir);
  if (!pk) throw new SystemError('SYSTEM_RECOVERY_KEY_MISSING', 'This appliance has no recovery verifier');
  const mine = recoveryPublicKey(parseRecoveryKey(text));
  return timingSafeEqual(mine, pk);
}

async function writeVerifier(dataDir: string, key: Uint8Array): Promise<boolean> {
  const file = recoveryVerifierPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx' so two processes starting at once cannot both create (and print) different keys.
    await writeFile(file, verifierText(key), { mode: 0o600, flag: 'wx' });
    const dir = await open(path.dirname(file), 'r');
    await dir.sync().finally(() => dir.close());
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export type RecoveryKeyState = { created: true; recoveryKey: string } | { created: false; migrated: boolean };

/**
 * First run: makes a recovery key, keeps only its verifier (the public key backups
 * are sealed to) in `<dataDir>/keys/recovery.verifier.json`, and returns the key so
 * the caller shows it once; it is never written to disk. A data dir from an older
 * release that still holds `keys/recovery.key` in plain text is migrated: verifier
 * written, plaintext removed, and an operator log line says so.
 */
export async function ensureRecoveryKey(dataDir: string): Promise<RecoveryKeyState> {
  const legacy = legacyRecoveryKeyPath(dataDir);
  let legacyText: string | undefined;
  try {
    legacyText = (await readFile(legacy, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (legacyText !== undefined) {
    await writeVerifier(dataDir, parseRecoveryKey(legacyText));
    await rm(legacy, { force: true });
    log.warn(
      'recovery key migrated: keys/recovery.key (plain text) removed from the data directory, only its ' +
        'verifier is kept; restoring a backup now needs the recovery key shown at first run (copy it from ' +
        'an older backup of that file to offline storage if it was never written down)',
    );
    return { created: false, migrated: true };
  }
  if (await readRecoveryPublicKey(dataDir)) return { created: false, migrated: false };
  const key = randomBytes(KEY_BYTES);
  if (!(await writeVerifier(dataDir, key))) return { created: false, migrated: false };
  return { created: true, recoveryKey: formatRecoveryKey(key) };
}
