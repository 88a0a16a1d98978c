// Issue 17: nothing on the data disk opens a backup. The recovery key is shown once
// and only its verifier is kept; the one-time admin password file goes once the
// password is changed; restore takes the key from the operator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { untilTrue } from './support/until.ts';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const cli = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ['bin/branchline.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, BRANCHLINE_DATA_DIR: dataDir },
  });

async function filesHolding(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const text = (await readFile(path.join(e.parentPath, e.name))).toString('latin1');
    if (needles.some((n) => text.includes(n))) hits.push(path.join(e.parentPath, e.name));
  }
  return hits;
}

test('after first run and the password change no recovery key or one-time password is left in the data dir; restore takes the key from the operator', async () => {
  const tmp = await tempDataDir('bl-recovery-');
  cleanups.push(tmp.cleanup);
  const dataDir = path.join(tmp.dir, 'data');
  const app = await startAppliance(dataDir);
  const key = /backup recovery key: (\S+)/.exec(app.stdout())?.[1];
  const otp = /initial admin password:\s*(\S+)/.exec(app.stdout())?.[1];
  assert.ok(key && otp, app.stdout());
  await bootstrapAdmin(app);
  await untilTrue(
    'the one-time password file removed after the change',
    async () => (await readdir(dataDir)).includes('initial-admin-password') === false,
  );
  await app.stop();
  const names = (await readdir(dataDir, { recursive: true })).map(String);
  assert.equal(names.includes(path.join('keys', 'recovery.key')), false);
  assert.deepEqual(await filesHolding(dataDir, [key, key.replace(/-/g, ''), otp]), []);

  const made = await cli(dataDir, 'backup', 'create');
  const file = /(\S+\.blbak)/.exec(made.stdout)?.[1];
  assert.ok(file, made.stdout);
  const other = await tempDataDir('bl-recovery-other-');
  cleanups.push(other.cleanup);
  const otherApp = await startAppliance(other.dir);
  const wrongKey = /backup recovery key: (\S+)/.exec(otherApp.stdout())?.[1];
  await otherApp.stop();
  assert.ok(wrongKey);
  const target = path.join(tmp.dir, 'restored');
  await assert.rejects(
    cli(tmp.dir, 'backup', 'restore', file, '--target', target, '--recovery-key', wrongKey),
    (err) => {
      assert.match(String((err as { stderr?: string }).stderr), /SYSTEM_BACKUP_WRONG_KEY/);
      return true;
    },
  );
  const ok = await cli(tmp.dir, 'backup', 'restore', file, '--target', target, '--recovery-key', key);
  assert.match(ok.stdout, /Backup restored into/);
  assert.ok((await readdir(path.join(target, 'keys'))).includes('recovery.verifier.json'));
});
