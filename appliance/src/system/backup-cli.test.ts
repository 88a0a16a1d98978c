import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backupCommand } from '../cli/index.ts';
import { setLogSink } from '../logging/index.ts';
import { ensureRecoveryKey } from './index.ts';

let root: string;
let dataDir: string;
let key: string;
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { dataDir, out: (s: string) => out.push(s), err: (s: string) => err.push(s), lines: { out, err } };
};

before(async () => {
  setLogSink(() => {});
  root = await mkdtemp(path.join(os.tmpdir(), 'bl-backup-cli-'));
  dataDir = path.join(root, 'data');
  const first = await ensureRecoveryKey(dataDir);
  assert.ok(first.created);
  key = first.recoveryKey;
  await writeFile(path.join(dataDir, 'settings.json'), '{"a":1}');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('backup create --out then restore --target --recovery-key round-trips and exits 0', async () => {
  const out = path.join(root, 'x.blbak');
  const c = io();
  assert.equal(await backupCommand(['create', '--out', out], c), 0);
  assert.match(c.lines.out.join(''), /Backup written: .*x\.blbak/);
  const r = io();
  const target = path.join(root, 'restored');
  assert.equal(await backupCommand(['restore', out, '--target', target, '--recovery-key', key], r), 0);
  assert.equal(await readFile(path.join(target, 'settings.json'), 'utf8'), '{"a":1}');
});

test('backup restore into a non-empty dir exits 1 and names SYSTEM_BACKUP_TARGET_NOT_EMPTY', async () => {
  const out = path.join(root, 'y.blbak');
  assert.equal(await backupCommand(['create', '--out', out], io()), 0);
  const r = io();
  assert.equal(await backupCommand(['restore', out, '--target', dataDir, '--recovery-key', key], r), 1);
  assert.match(r.lines.err.join(''), /SYSTEM_BACKUP_TARGET_NOT_EMPTY/);
});

test('backup with a missing argument or unknown flag exits 2 with usage', async () => {
  const a = io();
  assert.equal(await backupCommand(['restore', 'f.blbak'], a), 2);
  assert.match(a.lines.err.join(''), /Usage:/);
  const b = io();
  assert.equal(await backupCommand(['create', '--bogus'], b), 2);
  assert.equal(await backupCommand([], io()), 2);
});
