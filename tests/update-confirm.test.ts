// The A/B update confirmation against a real appliance: mark-good.sh reads the
// appliance's environment file (non-default port here), and confirms only on
// status "ok" plus the post-update self-test (stores, audit, SIP, SMTP, console).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startAppliance, tempDataDir } from './support/appliance.ts';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A simulated /opt/branchline whose slot b awaits confirmation after an update from slot a. */
async function pendingRoot(dir: string): Promise<string> {
  const root = path.join(dir, 'opt');
  for (const s of ['a', 'b']) await mkdir(path.join(root, 'slots', s), { recursive: true });
  await symlink('slots/b', path.join(root, 'current'));
  await mkdir(path.join(root, 'state'));
  await writeFile(
    path.join(root, 'state', 'pending'),
    'slot=b\nprevious=a\nversion=9.9.9\nsecurity_version=4\nboots=0\nmax_boots=1\n',
  );
  return root;
}

test('mark-good.sh confirms an update on a real appliance listening on the port its env file names', async () => {
  const tmp = await tempDataDir('bl-confirm-');
  cleanups.push(tmp.cleanup);
  const app = await startAppliance(path.join(tmp.dir, 'data'));
  cleanups.push(async () => {
    await app.stop();
  });
  assert.notEqual(app.httpPort, 8080, 'not the default port');

  const self = await fetch(`${app.base}/healthz?selftest=1`);
  const body = (await self.json()) as { status: string; selftest: string; selfTestChecks: object };
  assert.equal(self.status, 200);
  assert.equal(body.status, 'ok');
  assert.equal(body.selftest, 'passed', JSON.stringify(body.selfTestChecks));
  assert.deepEqual(Object.keys(body.selfTestChecks).sort(), ['audit', 'sip', 'smtp', 'stores']);
  const plain = (await (await fetch(`${app.base}/healthz`)).json()) as Record<string, unknown>;
  assert.equal(plain['selftest'], undefined, 'the self-test runs only on request');

  const envFile = path.join(tmp.dir, 'branchline.env');
  await writeFile(envFile, `BRANCHLINE_DATA_DIR=${app.dataDir}\nBRANCHLINE_HTTP_PORT=${app.httpPort}\n`);
  const root = await pendingRoot(tmp.dir);
  const r = await run(
    path.join(ROOT, 'firmware-scripts/mark-good.sh'),
    ['--root', root, '--env-file', envFile, '--wait', '30'],
    { env: { ...process.env, BRANCHLINE_HTTP_PORT: '' } },
  );
  assert.match(r.stderr, new RegExp(`self-test passed at http://127\\.0\\.0\\.1:${app.httpPort}/healthz`));
  assert.match(
    await readFile(path.join(root, 'state', 'good'), 'utf8'),
    /^slot=b\nversion=9\.9\.9\nsecurity_version=4\n/,
  );
  assert.match(await readFile(path.join(root, 'state', 'security-floor'), 'utf8'), /security_version=4\n/);
  assert.equal(await readlink(path.join(root, 'current')), 'slots/b');
});
