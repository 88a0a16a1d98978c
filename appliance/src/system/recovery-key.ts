import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from './errors.ts';

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

export function recoveryKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'recovery.key');
}

/**
 * Creates `<dataDir>/keys/recovery.key` (0600) on first call; later calls read it back.
 * `created` tells the caller to show the key once to the operator.
 */
export async function ensureRecoveryKey(dataDir: string): Promise<{ recoveryKey: string; created: boolean }> {
  const file = recoveryKeyPath(dataDir);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    parseRecoveryKey(text);
    return { recoveryKey: text, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const recoveryKey = formatRecoveryKey(randomBytes(KEY_BYTES));
  try {
    // 'wx' so two processes starting at once cannot both create (and print) different keys.
    await writeFile(file, recoveryKey + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return ensureRecoveryKey(dataDir);
    throw err;
  }
  return { recoveryKey, created: true };
}
