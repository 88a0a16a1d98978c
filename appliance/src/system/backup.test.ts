import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setLogSink } from '../logging/index.ts';
import { checkRecoveryKey, createBackup, ensureRecoveryKey, restoreBackup, SystemError } from './index.ts';

interface MiniPouch {
  put(doc: Record<string, unknown>): Promise<unknown>;
  get(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
const PouchDB = createRequire(import.meta.url)('pouchdb') as new (name: string) => MiniPouch;

const CANARY = 'CANARY-6222021234567890123';
// Long enough that random ciphertext cannot contain it by chance (a 3-byte
// name turned up in a 1 MB archive once in a dozen runs).
const NAME = 'Annabel-Quintero-Canary';
let root: string;
let dataDir: string;
let recoveryKey: string;
let archive: string;

/** A fresh recovery key for `dir` (first run there). */
async function newRecoveryKey(dir: string): Promise<string> {
  const r = await ensureRecoveryKey(dir);
  assert.ok(r.created);
  return r.recoveryKey;
}

async function tree(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await tree(path.join(dir, e.name), rel)) out.set(k, v);
    else out.set(rel, (await readFile(path.join(dir, e.name))).toString('base64'));
  }
  return out;
}

before(async () => {
  setLogSink(() => {});
  root = await mkdtemp(path.join(os.tmpdir(), 'bl-backup-'));
  dataDir = path.join(root, 'data');
  await mkdir(path.join(dataDir, 'notes'), { recursive: true });
  await writeFile(path.join(dataDir, 'notes', 'canary.txt'), `${CANARY}\n`.repeat(50_000), { mode: 0o640 });
  await writeFile(path.join(dataDir, 'empty.bin'), '');
  const db = new PouchDB(path.join(dataDir, 'customers'));
  await db.put({ _id: 'c1', name: NAME, card: CANARY });
  await db.close();
  const first = await ensureRecoveryKey(dataDir);
  assert.ok(first.created);
  recoveryKey = first.recoveryKey;
  await mkdir(path.join(dataDir, 'backups'));
  await writeFile(path.join(dataDir, 'backups', 'older.blbak'), 'not part of the backup');
  archive = (await createBackup(dataDir)).file;
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

// Behaviour changed by issue 17: the key is shown once and never stored; only a verifier is.
test('ensureRecoveryKey() returns the key once and keeps only a verifier, never the key, on disk', async () => {
  const again = await ensureRecoveryKey(dataDir);
  assert.deepEqual(again, { created: false, migrated: false });
  assert.match(recoveryKey, /^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/);
  assert.equal(existsSync(path.join(dataDir, 'keys', 'recovery.key')), false);
  assert.equal((await stat(path.join(dataDir, 'keys', 'recovery.verifier.json'))).mode & 0o777, 0o600);
  const bare = recoveryKey.replace(/-/g, '');
  for (const [rel, b64] of await tree(dataDir)) {
    const text = Buffer.from(b64, 'base64').toString('latin1');
    assert.ok(!text.includes(recoveryKey) && !text.includes(bare), `${rel} holds the recovery key`);
  }
  assert.equal(await checkRecoveryKey(dataDir, recoveryKey), true);
  const other = await newRecoveryKey(path.join(root, 'other-verifier'));
  assert.equal(await checkRecoveryKey(dataDir, other), false);
});

test('ensureRecoveryKey() migrates a plain-text keys/recovery.key: verifier written, plaintext gone, logged; backups restore with that key', async () => {
  const legacyDir = path.join(root, 'legacy');
  const legacyKey = { recoveryKey: await newRecoveryKey(path.join(root, 'key-source')) };
  await mkdir(path.join(legacyDir, 'keys'), { recursive: true });
  await writeFile(path.join(legacyDir, 'keys', 'recovery.key'), `${legacyKey.recoveryKey}\n`, {
    mode: 0o600,
  });
  await writeFile(path.join(legacyDir, 'hello.txt'), 'hello');
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  try {
    assert.deepEqual(await ensureRecoveryKey(legacyDir), { created: false, migrated: true });
  } finally {
    setLogSink(() => {});
  }
  assert.equal(existsSync(path.join(legacyDir, 'keys', 'recovery.key')), false);
  assert.ok(existsSync(path.join(legacyDir, 'keys', 'recovery.verifier.json')));
  assert.match(lines.join('\n'), /recovery key migrated: keys\/recovery\.key \(plain text\) removed/);
  const { file } = await createBackup(legacyDir);
  const target = path.join(root, 'legacy-restored');
  await restoreBackup(file, { target, recoveryKey: legacyKey.recoveryKey });
  assert.equal(await readFile(path.join(target, 'hello.txt'), 'utf8'), 'hello');
});

test('createBackup() writes a 0600 archive under backups/ that holds no plaintext canary', async () => {
  assert.match(path.basename(archive), /^branchline-\d{8}T\d{6}Z\.blbak$/);
  assert.equal(path.dirname(archive), path.join(dataDir, 'backups'));
  assert.equal((await stat(archive)).mode & 0o777, 0o600);
  const raw = await readFile(archive);
  assert.equal(raw.includes(Buffer.from('CANARY')), false);
  assert.equal(raw.includes(Buffer.from(NAME)), false);
});

test('restoreBackup() on a fresh dir gives byte-identical files and a LevelDB that opens', async () => {
  const target = path.join(root, 'fresh', 'data');
  const res = await restoreBackup(archive, { target, recoveryKey });
  const want = await tree(dataDir);
  want.delete('backups/older.blbak');
  want.delete(`backups/${path.basename(archive)}`);
  for (const k of [...want.keys()]) if (k.endsWith('/LOCK')) want.delete(k);
  const got = await tree(target);
  for (const k of [...got.keys()]) if (k.endsWith('/LOCK')) got.delete(k);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, v] of want) assert.equal(got.get(k), v, `content of ${k}`);
  assert.equal(res.files, want.size);
  assert.equal((await stat(path.join(target, 'notes', 'canary.txt'))).mode & 0o777, 0o640);
  const db = new PouchDB(path.join(target, 'customers'));
  try {
    assert.equal((await db.get('c1'))['card'], CANARY);
  } finally {
    await db.close();
  }
});

test('restoreBackup() with the wrong recovery key fails with SYSTEM_BACKUP_WRONG_KEY and leaves nothing', async () => {
  const other = path.join(root, 'other');
  const wrong = await newRecoveryKey(other);
  const target = path.join(root, 'wrong-key');
  await assert.rejects(
    restoreBackup(archive, { target, recoveryKey: wrong }),
    (e: unknown) => e instanceof SystemError && e.code === 'SYSTEM_BACKUP_WRONG_KEY',
  );
  assert.deepEqual(
    (await readdir(root)).filter((n) => n.startsWith('wrong-key')),
    [],
  );
});

/** Walks the container's frames (see archive-stream.ts) to find where the last one starts. */
function lastFrameOffset(b: Buffer): number {
  let off = 8 + 4 + b.readUInt32BE(8) + 24;
  let last = off;
  while (off < b.length) {
    last = off;
    off += 4 + b.readUInt32BE(off);
  }
  assert.equal(off, b.length);
  return last;
}

async function corruptCopy(name: string, mutate: (file: string) => Promise<void>): Promise<string> {
  const file = path.join(root, name);
  await writeFile(file, await readFile(archive));
  await mutate(file);
  return file;
}

for (const [label, mutate] of [
  ['truncated', async (f: string) => truncate(f, (await stat(f)).size - 100)],
  ['cut just before its final frame', async (f: string) => truncate(f, lastFrameOffset(await readFile(f)))],
  [
    'frame-reordered',
    async (f: string) => {
      const b = await readFile(f);
      const first = 8 + 4 + b.readUInt32BE(8) + 24;
      const second = first + 4 + b.readUInt32BE(first);
      const third = second + 4 + b.readUInt32BE(second);
      assert.equal(third - second, second - first, 'two full-size frames to swap');
      const swapped = Buffer.concat([
        b.subarray(0, first),
        b.subarray(second, third),
        b.subarray(first, second),
      ]);
      await writeFile(f, Buffer.concat([swapped, b.subarray(third)]));
    },
  ],
  [
    'byte-flipped',
    async (f: string) => {
      const b = await readFile(f);
      b[Math.floor(b.length / 2)]! ^= 0x01;
      await writeFile(f, b);
    },
  ],
  [
    'header-edited',
    async (f: string) => {
      const b = await readFile(f);
      const i = b.indexOf('createdAt') + 14;
      b[i] = b[i] === 0x31 ? 0x32 : 0x31;
      await writeFile(f, b);
    },
  ],
] as const) {
  test(`restoreBackup() refuses a ${label} archive with SYSTEM_BACKUP_CORRUPT and restores nothing`, async () => {
    const file = await corruptCopy(`${label.replace(/\W+/g, '-')}.blbak`, mutate);
    const target = path.join(root, `bad-${label.replace(/\W+/g, '-')}`);
    await assert.rejects(
      restoreBackup(file, { target, recoveryKey }),
      (e: unknown) => e instanceof SystemError && e.code === 'SYSTEM_BACKUP_CORRUPT',
    );
    const left = (await readdir(root)).filter((n) => n.startsWith(path.basename(target)));
    assert.deepEqual(left, []);
  });
}

test('restoreBackup() refuses a non-empty target unless forced, then replaces it', async () => {
  const target = path.join(root, 'occupied');
  await mkdir(target);
  await writeFile(path.join(target, 'stale.txt'), 'old');
  await assert.rejects(
    restoreBackup(archive, { target, recoveryKey }),
    (e: unknown) => e instanceof SystemError && e.code === 'SYSTEM_BACKUP_TARGET_NOT_EMPTY',
  );
  assert.equal(await readFile(path.join(target, 'stale.txt'), 'utf8'), 'old');
  await restoreBackup(archive, { target, recoveryKey, force: true });
  await assert.rejects(stat(path.join(target, 'stale.txt')), { code: 'ENOENT' });
  assert.ok((await stat(path.join(target, 'notes', 'canary.txt'))).size > 0);
});

test('restoreBackup() rejects a mistyped recovery key before touching the disk', async () => {
  const typo = recoveryKey.slice(0, -1) + (recoveryKey.endsWith('A') ? 'B' : 'A');
  await assert.rejects(
    restoreBackup(archive, { target: path.join(root, 'typo'), recoveryKey: typo }),
    (e: unknown) => e instanceof SystemError && e.code === 'SYSTEM_RECOVERY_KEY_INVALID',
  );
});
