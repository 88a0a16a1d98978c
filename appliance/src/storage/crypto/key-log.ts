import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StorageError } from '../errors.ts';

/** A wrapped per-customer data key (`k`) or a shred tombstone (`x`). */
export type KeyLogRecord = { t: 'k'; id: string; kek: number; w: string } | { t: 'x'; id: string };

const LEN = 4;
const MAC = 32;

function mac(macKey: Uint8Array, frame: Uint8Array): Buffer {
  return createHmac('sha256', macKey).update(frame).digest();
}

/** `u32be length ‖ JSON payload ‖ HMAC-SHA256(length ‖ payload)`. */
export function encodeRecord(macKey: Uint8Array, record: KeyLogRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record));
  const frame = Buffer.alloc(LEN + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, LEN);
  return Buffer.concat([frame, mac(macKey, frame)]);
}

export interface DecodedLog {
  records: KeyLogRecord[];
  /** Bytes of complete, authentic records; anything after is a torn tail. */
  goodBytes: number;
}

/**
 * Reads records up to the first incomplete one (a write torn by a crash). A
 * complete record whose MAC fails is corruption or tampering, not a crash —
 * unless everything from it on is zeros (a file extended but never written).
 */
export function decodeRecords(bytes: Buffer, macKey: Uint8Array): DecodedLog {
  const records: KeyLogRecord[] = [];
  let at = 0;
  while (bytes.length - at >= LEN) {
    const len = bytes.readUInt32BE(at);
    const end = at + LEN + len + MAC;
    if (end > bytes.length) break;
    const frame = bytes.subarray(at, at + LEN + len);
    const tag = bytes.subarray(at + LEN + len, end);
    if (!timingSafeEqual(mac(macKey, frame), tag)) {
      if (bytes.subarray(at).every((b) => b === 0)) break;
      throw new StorageError('STORAGE_DECRYPT_FAILED', `Customer key log is corrupt [offset:${at}]`);
    }
    records.push(JSON.parse(frame.subarray(LEN).toString('utf8')) as KeyLogRecord);
    at = end;
  }
  return { records, goodBytes: at };
}

function fsyncDir(path: string): void {
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The append-only file behind per-customer keys. Appends are one write plus
 * one fdatasync per batch (the key ring group-commits); a torn tail found on
 * open is cut off so later appends never follow garbage.
 */
export class KeyLogFile {
  readonly path: string;
  #macKey: Uint8Array;
  #fh: FileHandle | undefined;

  private constructor(path: string, macKey: Uint8Array) {
    this.path = path;
    this.#macKey = macKey;
  }

  /** Reads and repairs the log (creating it empty), then opens it for appends. */
  static async open(path: string, macKey: Uint8Array): Promise<{ log: KeyLogFile; records: KeyLogRecord[] }> {
    const created = !existsSync(path);
    const fd = openSync(path, 'a+', 0o600);
    try {
      if (created) fsyncDir(path);
      const bytes = readFileSync(path);
      const decoded = decodeRecords(bytes, macKey);
      if (decoded.goodBytes < bytes.length) {
        ftruncateSync(fd, decoded.goodBytes);
        fsyncSync(fd);
      }
      const log = new KeyLogFile(path, macKey);
      log.#fh = await open(path, 'a', 0o600);
      return { log, records: decoded.records };
    } finally {
      closeSync(fd);
    }
  }

  /** Appends records durably: resolves after they reached the disk. */
  async append(records: KeyLogRecord[]): Promise<void> {
    const fh = this.#handle();
    await fh.write(Buffer.concat(records.map((r) => encodeRecord(this.#macKey, r))));
    await fh.datasync();
  }

  /**
   * Replaces the whole log with `records` (temp file, fsync, rename, fsync dir),
   * so bytes of dropped records are no longer in the file.
   */
  async rewrite(records: KeyLogRecord[]): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}`;
    const out = await open(tmp, 'w', 0o600);
    try {
      const chunk = 4096;
      for (let i = 0; i < records.length; i += chunk) {
        const part = records.slice(i, i + chunk).map((r) => encodeRecord(this.#macKey, r));
        await out.write(Buffer.concat(part));
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await this.#handle().close();
    this.#fh = undefined;
    await rename(tmp, this.path);
    fsyncDir(this.path);
    this.#fh = await open(this.path, 'a', 0o600);
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }

  #handle(): FileHandle {
    if (!this.#fh) throw new StorageError('STORAGE_IO', 'Customer key log is closed');
    return this.#fh;
  }
}
