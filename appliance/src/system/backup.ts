import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../logging/index.ts';
import { ArchiveWriter, readArchive } from './archive-stream.ts';
import { ByteReader } from './byte-reader.ts';
import { SystemError } from './errors.ts';
import { parseRecoveryKey, readRecoveryPublicKey } from './recovery-key.ts';
import { recoveryPublicKey } from './recovery-wrap.ts';
import { listSnapshot } from './snapshot.ts';

const log = createLogger('system');
const BACKUPS_DIR = 'backups';
const READ_BLOCK = 256 * 1024;

export interface BackupResult {
  file: string;
  files: number;
  bytes: number;
}

export interface CreateBackupOptions {
  /** Archive path; default `<dataDir>/backups/branchline-<UTC timestamp>.blbak`. */
  out?: string;
  /** Printable recovery key; default: seal to the verifier's public key (no secret needed). */
  recoveryKey?: string;
  now?: Date;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * Writes an encrypted archive of every file in the data dir except `backups/`,
 * LevelDB LOCK files and half-written `.partial` files. Safe on a live store
 * only as far as LevelDB's immutable tables allow (see snapshot.ts); a backup
 * taken while the appliance is stopped always restores.
 */
export async function createBackup(
  dataDir: string,
  options: CreateBackupOptions = {},
): Promise<BackupResult> {
  const now = options.now ?? new Date();
  const recipient =
    options.recoveryKey === undefined
      ? await readRecoveryPublicKey(dataDir)
      : recoveryPublicKey(parseRecoveryKey(options.recoveryKey));
  if (!recipient) {
    throw new SystemError(
      'SYSTEM_RECOVERY_KEY_MISSING',
      'No recovery verifier: start the appliance once first',
    );
  }
  const file = path.resolve(options.out ?? path.join(dataDir, BACKUPS_DIR, `branchline-${stamp(now)}.blbak`));
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const entries = (await listSnapshot(dataDir, new Set([BACKUPS_DIR]))).filter((e) => e.abs !== file);
  const fh = await open(partial, 'w', 0o600);
  let files = 0;
  try {
    const writer = await ArchiveWriter.start(fh, recipient, now);
    for (const entry of entries) {
      if (await appendFile(writer, entry.abs, entry.rel)) files++;
    }
    await writer.write(u32(0));
    await writer.finish();
    await fh.sync();
    await fh.close();
    await rename(partial, file);
    await chmod(file, 0o600);
    log.info(`backup written [file:${path.basename(file)}]`, { files, bytes: writer.bytesIn });
    return { file, files, bytes: writer.bytesIn };
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  }
}

async function appendFile(writer: ArchiveWriter, abs: string, rel: string): Promise<boolean> {
  let src: Awaited<ReturnType<typeof open>>;
  try {
    src = await open(abs, 'r');
  } catch (err) {
    // LevelDB may delete an obsolete .log or table between listing and copying.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const st = await src.stat();
    const meta = Buffer.from(JSON.stringify({ path: rel, mode: st.mode & 0o777, size: st.size }));
    await writer.write(Buffer.concat([u32(meta.length), meta]));
    const block = Buffer.alloc(READ_BLOCK);
    let left = st.size;
    // Exactly `size` bytes go out even if the file grows while it is copied.
    while (left > 0) {
      const { bytesRead } = await src.read(block, 0, Math.min(left, READ_BLOCK), null);
      if (bytesRead === 0) throw new Error(`File shrank while being backed up: ${rel}`);
      await writer.write(Buffer.from(block.subarray(0, bytesRead)));
      left -= bytesRead;
    }
    return true;
  } finally {
    await src.close();
  }
}

export interface RestoreBackupOptions {
  target: string;
  recoveryKey: string;
  /** Replace a non-empty target. */
  force?: boolean;
}

function safeRel(rel: unknown): string {
  if (typeof rel !== 'string' || rel === '' || rel.startsWith('/') || rel.includes('\\')) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive holds an unsafe path');
  }
  if (rel.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive holds an unsafe path');
  }
  return rel;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Restores into `target` through a temporary sibling that is renamed into place
 * only after the archive's final tag verified: a bad archive leaves nothing behind.
 */
export async function restoreBackup(file: string, options: RestoreBackupOptions): Promise<BackupResult> {
  const key = parseRecoveryKey(options.recoveryKey);
  const target = path.resolve(options.target);
  if (!options.force && !(await isEmptyOrMissing(target))) {
    throw new SystemError('SYSTEM_BACKUP_TARGET_NOT_EMPTY', `Restore target is not empty: ${target}`, {
      status: 409,
    });
  }
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.restore-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { mode: 0o700 });
  const fh = await open(file, 'r');
  try {
    const result = await unpack(new ByteReader(readArchive(fh, key)), tmp);
    await swapInto(tmp, target);
    log.info(`backup restored [file:${path.basename(file)}]`, { files: result.files });
    return { file, ...result };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await fh.close();
  }
}

async function unpack(reader: ByteReader, dir: string): Promise<{ files: number; bytes: number }> {
  const truncated = () => new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive is truncated');
  let files = 0;
  let bytes = 0;
  for (;;) {
    const lenBuf = await reader.read(4);
    if (!lenBuf) throw truncated();
    const len = lenBuf.readUInt32BE();
    if (len === 0) break;
    const metaBuf = await reader.read(len);
    if (!metaBuf) throw truncated();
    const meta = JSON.parse(metaBuf.toString('utf8')) as { path: unknown; mode: unknown; size: unknown };
    const rel = safeRel(meta.path);
    const size = Number(meta.size);
    // The owner must keep read/write or the appliance could not open its own files.
    const mode = (Number(meta.mode) & 0o777) | 0o600;
    const dest = path.join(dir, ...rel.split('/'));
    await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
    const out = await open(dest, 'wx', mode);
    try {
      let left = size;
      while (left > 0) {
        const part = await reader.read(Math.min(left, READ_BLOCK));
        if (!part) throw truncated();
        await out.write(part);
        left -= part.length;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await chmod(dest, mode);
    files++;
    bytes += size;
  }
  if (!(await reader.atEnd())) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive has data after its end marker');
  }
  return { files, bytes };
}

async function swapInto(tmp: string, target: string): Promise<void> {
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await rename(tmp, target);
    return;
  }
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  await rename(target, old);
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}
