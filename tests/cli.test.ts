// The operator CLI against a real data directory: keys rotate (online, via the
// control socket), audit verify, and a backup restored on a "fresh machine"
// (a new directory) with the recovery key printed at first run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, nextTotp } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { validBankCard } from './support/synthetic.ts';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

function cli(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['bin/branchline.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, BRANCHLINE_DATA_DIR: dataDir },
  });
}

test('keys rotate, audit verify and backup restore work on a real data directory', async () => {
  const tmp = await tempDataDir('bl-cli-');
  cleanups.push(tmp.cleanup);
  const app = await startAppliance(tmp.dir);
  const recoveryKey = /backup recovery key: (\S+)/.exec(app.stdout())?.[1];
  assert.ok(recoveryKey, 'first run printed the recovery key');
  const { admin, secret, lastStep } = await bootstrapAdmin(app);
  const ids: Array<[string, string]> = [];
  for (let i = 0; i < 5; i++) {
    const bankCard = validBankCard();
    const r = await admin.request('POST', '/api/customers', { name: `Rotate ${i}`, bankCard });
    assert.equal(r.status, 201);
    ids.push([r.json['id'], bankCard]);
  }

  const rotated = await cli(tmp.dir, 'keys', 'rotate');
  assert.match(rotated.stdout, /(\d+) data keys rewrapped \(via the running appliance\)/);
  assert.ok(
    Number(/(\d+) data keys/.exec(rotated.stdout)?.[1]) >= ids.length,
    'every customer key rewrapped',
  );
  for (const [id, card] of ids) {
    const r = await admin.request('GET', `/api/customers/${id}`);
    assert.equal(r.json['bankCard'], card, 'data written before rotation still decrypts');
  }

  const live = await cli(tmp.dir, 'audit', 'verify');
  assert.match(live.stdout, /OK/);
  await app.stop();
  const stopped = await cli(tmp.dir, 'audit', 'verify', '--json');
  const report = JSON.parse(stopped.stdout) as { ok: boolean; records: number };
  assert.equal(report.ok, true);
  assert.ok(report.records > 10, `records verified: ${report.records}`);

  const made = await cli(tmp.dir, 'backup', 'create');
  const file = /(\S+\.blbak)/.exec(made.stdout)?.[1];
  assert.ok(file, made.stdout);
  const fresh = await mkdtemp(path.join(tmpdir(), 'bl-restore-'));
  cleanups.push(() => rm(fresh, { recursive: true, force: true }));
  const target = path.join(fresh, 'data');
  await assert.rejects(
    cli(fresh, 'backup', 'restore', file, '--target', target, '--recovery-key', 'AAAA-BBBB'),
  );
  await cli(fresh, 'backup', 'restore', file, '--target', target, '--recovery-key', recoveryKey);

  const restored = await startAppliance(target);
  try {
    const client = new ApiClient(restored.base);
    const login = await client.login('admin', ADMIN_PASSWORD, (await nextTotp(secret, lastStep)).code);
    assert.equal(login.status, 200, JSON.stringify(login.json));
    for (const [id, card] of ids) {
      const r = await client.request('GET', `/api/customers/${id}`);
      assert.equal(r.json['bankCard'], card, 'restored data decrypts with the restored keys');
    }
  } finally {
    await restored.stop();
  }
});
