import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES } from './aead.ts';
import { writeFileDurable } from './durable-file.ts';

/** Where the root key lives: `<dataDir>/keys/root.key`, 32 raw bytes, mode 0600 in a 0700 dir. */
export function keysDir(dataDir: string): string {
  return join(dataDir, 'keys');
}

/** Reads the root key, creating it on first start. Its bytes are never logged. */
export function loadOrCreateRootKey(dataDir: string): Uint8Array {
  const dir = keysDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, 'root.key');
  if (!existsSync(file)) writeFileDurable(file, randomBytes(KEY_BYTES), 0o600);
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES)
    throw new RangeError(`Root key has ${key.length} bytes, expected ${KEY_BYTES}: ${file}`);
  return new Uint8Array(key);
}
