import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAuditLog, loadOrCreateSigningKey } from '../audit/index.ts';
import { openPouchStore } from '../storage/index.ts';
import { auditCommand } from './audit.ts';

let dataDir = '';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { dataDir, out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bl-audit-cli-'));
  const store = await openPouchStore(join(dataDir, 'db'), 'audit');
  const audit = await createAuditLog(store, {
    signer: await loadOrCreateSigningKey(dataDir),
    checkpointIntervalMs: 0,
  });
  await Promise.all(
    Array.from({ length: 120 }, (_, i) =>
      audit.append({
        actor: i % 2 ? 'ann' : 'bob',
        action: 'customer.read',
        target: `customer:${i}`,
        outcome: 'success',
      }),
    ),
  );
  await audit.close();
  await store.close();
});

after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('audit verify exits 2 with a message when there is no audit database', async () => {
  const t = io();
  assert.equal(await auditCommand(['verify', '--data-dir', join(dataDir, 'missing')], t.io), 2);
  assert.match(t.err.join('\n'), /No audit database/);
  assert.equal(await auditCommand(['frobnicate'], t.io), 2);
});

/** sha256 of every file under `dir`, by relative path. */
async function checksums(dir: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath, e.name);
    sums[abs.slice(dir.length + 1)] = createHash('sha256')
      .update(await readFile(abs))
      .digest('hex');
  }
  return sums;
}

test('audit verify of a stopped appliance leaves every file of the data directory byte-identical', async () => {
  const before = await checksums(dataDir);
  assert.ok(
    Object.keys(before).some((f) => f.startsWith('db/audit/')),
    'the audit database is there',
  );
  const t = io();
  assert.equal(await auditCommand(['verify', '--json'], t.io), 0);
  assert.equal((JSON.parse(t.out.join('')) as { records: number }).records, 120);
  assert.deepEqual(await checksums(dataDir), before);
});

test('audit export writes JSON lines to a file and records the export in the log', async () => {
  const t = io();
  const file = join(dataDir, 'export.jsonl');
  assert.equal(await auditCommand(['export', '--format', 'jsonl', '--actor', 'ann', '--out', file], t.io), 0);
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 60);
  assert.equal(JSON.parse(lines[0] as string).actor, 'ann');
  const v = io();
  assert.equal(await auditCommand(['verify', '--json'], v.io), 0);
  const report = JSON.parse(v.out.join('')) as { ok: boolean; records: number; checkpoints: number };
  assert.deepEqual([report.ok, report.records, report.checkpoints], [true, 121, 1]);
  const csv = io();
  assert.equal(await auditCommand(['export', '--format', 'csv', '--action', 'audit.*'], csv.io), 0);
  assert.match(csv.out.join('\n'), /^seq,at,actor,action/);
  assert.match(csv.out.join('\n'), /audit\.exported/);
});

test('audit verify reads a copy while another process holds the LevelDB lock; export refuses', async () => {
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${join(import.meta.dirname, '../storage/index.ts')}').then(async (m) => { await m.openPouchStore(process.argv[1], 'audit'); process.stdout.write('ready\\n'); setInterval(() => {}, 1000); });`,
      join(dataDir, 'db'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    const t = io();
    assert.equal(await auditCommand(['verify'], t.io), 0);
    assert.match(t.err.join('\n'), /verifying a copy/);
    assert.match(t.out.join('\n'), /^OK: audit log verified/);
    const e = io();
    assert.equal(await auditCommand(['export', '--format', 'csv'], e.io), 1);
    assert.match(e.err.join('\n'), /GET \/api\/audit\/export/);
  } finally {
    if (holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGTERM');
      await exited;
    }
  }
});
