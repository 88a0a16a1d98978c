import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { loadSodium, type SodiumSecretStream } from '../storage/index.ts';
import { SystemError } from './errors.ts';
import { openArchiveKey, type SealedKey, sealArchiveKey } from './recovery-wrap.ts';

/**
 * Encrypted container: MAGIC, u32 header length, header JSON, secretstream header,
 * then frames of (u32 ciphertext length, ciphertext). The plaintext is one logical
 * byte stream cut into CHUNK-sized secretstream messages; the last carries TAG_FINAL,
 * so truncation, reordering and edits are all detected. The first message
 * authenticates the cleartext header as associated data.
 */
const MAGIC = Buffer.from('BLBAK\0\0\x01', 'latin1');
const CHUNK = 64 * 1024;
const INFO = 'branchline backup v1';

/** v1: key derived from the recovery key itself (older appliances kept it on disk). */
interface ArchiveHeaderV1 {
  v: 1;
  kdf: 'hkdf-sha256';
  salt: string;
  keyCheck: string;
  createdAt: string;
}

/** v2: a random archive key sealed to the recovery public key (recovery-wrap.ts). */
interface ArchiveHeaderV2 {
  v: 2;
  kdf: 'x25519-sealed';
  key: SealedKey;
  createdAt: string;
}

type ArchiveHeader = ArchiveHeaderV1 | ArchiveHeaderV2;

function deriveKey(recoveryKey: Uint8Array, salt: Buffer): { key: Buffer; check: Buffer } {
  const key = Buffer.from(hkdfSync('sha256', recoveryKey, salt, INFO, 32));
  const check = createHmac('sha256', key).update('key-check').digest().subarray(0, 16);
  return { key, check };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
}

export class ArchiveWriter {
  #fh: FileHandle;
  #sodium: SodiumSecretStream;
  #state: unknown;
  #ad: Buffer | null;
  #pending: Buffer[] = [];
  #pendingLen = 0;
  #finished = false;
  bytesIn = 0;

  private constructor(fh: FileHandle, sodium: SodiumSecretStream, state: unknown, ad: Buffer) {
    this.#fh = fh;
    this.#sodium = sodium;
    this.#state = state;
    this.#ad = ad;
  }

  /** Starts a v2 archive whose key is sealed to `recipient`, the recovery public key. */
  static async start(fh: FileHandle, recipient: Buffer, now: Date): Promise<ArchiveWriter> {
    const sodium = await loadSodium();
    const key = randomBytes(32);
    const header: ArchiveHeader = {
      v: 2,
      kdf: 'x25519-sealed',
      key: sealArchiveKey(key, recipient),
      createdAt: now.toISOString(),
    };
    const json = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.concat([MAGIC, u32(json.length), json]);
    const { state, header: ssHeader } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    await writeAll(fh, Buffer.concat([prefix, ssHeader]));
    return new ArchiveWriter(fh, sodium, state, prefix);
  }

  async write(data: Uint8Array): Promise<void> {
    this.bytesIn += data.length;
    this.#pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.#pendingLen += data.length;
    while (this.#pendingLen >= CHUNK) {
      const all = Buffer.concat(this.#pending);
      this.#pending = [all.subarray(CHUNK)];
      this.#pendingLen = all.length - CHUNK;
      await this.#push(all.subarray(0, CHUNK), false);
    }
  }

  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.#push(Buffer.concat(this.#pending), true);
    this.#pending = [];
  }

  async #push(plain: Uint8Array, final: boolean): Promise<void> {
    const s = this.#sodium;
    const tag = final
      ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const cipher = s.crypto_secretstream_xchacha20poly1305_push(this.#state, plain, this.#ad, tag);
    this.#ad = null;
    await writeAll(this.#fh, Buffer.concat([u32(cipher.length), cipher]));
  }
}

function corrupt(message: string): SystemError {
  return new SystemError('SYSTEM_BACKUP_CORRUPT', message);
}

async function readExactly(fh: FileHandle, n: number, what: string): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    const { bytesRead } = await fh.read(buf, off, n - off, null);
    if (bytesRead === 0) throw corrupt(`Backup archive is truncated (in ${what})`);
    off += bytesRead;
  }
  return buf;
}

function archiveKey(header: ArchiveHeader, recoveryKey: Uint8Array): Buffer {
  if (header.v === 2 && header.kdf === 'x25519-sealed' && typeof header.key === 'object' && header.key) {
    return openArchiveKey(header.key, recoveryKey);
  }
  if (header.v !== 1 || header.kdf !== 'hkdf-sha256') throw corrupt('Unsupported backup archive version');
  const { key, check } = deriveKey(recoveryKey, Buffer.from(header.salt, 'base64'));
  const expected = Buffer.from(header.keyCheck, 'base64');
  if (expected.length !== check.length || !timingSafeEqual(expected, check)) {
    throw new SystemError('SYSTEM_BACKUP_WRONG_KEY', 'The recovery key does not open this backup', {
      status: 401,
    });
  }
  return key;
}

/** Yields verified plaintext chunks; throws SystemError before yielding anything unauthenticated. */
export async function* readArchive(fh: FileHandle, recoveryKey: Uint8Array): AsyncGenerator<Buffer> {
  const sodium = await loadSodium();
  const magic = await readExactly(fh, MAGIC.length, 'magic');
  if (!magic.equals(MAGIC)) throw corrupt('Not a Branchline backup archive (bad magic)');
  const lenBuf = await readExactly(fh, 4, 'header');
  const len = lenBuf.readUInt32BE();
  if (len > 4096) throw corrupt('Backup archive header is too large');
  const json = await readExactly(fh, len, 'header');
  let header: ArchiveHeader;
  try {
    header = JSON.parse(json.toString('utf8')) as ArchiveHeader;
  } catch (cause) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive header is not JSON', { cause });
  }
  const key = archiveKey(header, recoveryKey);
  const ssHeader = await readExactly(fh, sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES, 'header');
  const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(ssHeader, key);
  let ad: Buffer | null = Buffer.concat([MAGIC, lenBuf, json]);
  const maxFrame = CHUNK + sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
  for (;;) {
    const frameLen = (await readExactly(fh, 4, 'frame')).readUInt32BE();
    if (frameLen > maxFrame) throw corrupt('Backup archive frame is too large');
    const res = sodium.crypto_secretstream_xchacha20poly1305_pull(
      state,
      await readExactly(fh, frameLen, 'frame'),
      ad,
    );
    ad = null;
    if (!res) throw corrupt('Backup archive failed authentication (modified or reordered)');
    if (res.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      const { bytesRead } = await fh.read(Buffer.alloc(1), 0, 1, null);
      if (bytesRead !== 0) throw corrupt('Backup archive has data after its final frame');
      yield Buffer.from(res.message);
      return;
    }
    yield Buffer.from(res.message);
  }
}
