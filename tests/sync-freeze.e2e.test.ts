import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FaultProxy, HqConsole, type HqCouch, startHqCouch } from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { waitFor } from './support/sync-fixture.ts';

let hqDir: string;
let hq: HqCouch;
let hqConsole: HqConsole;
let proxy: FaultProxy;
let app: RunningAppliance;
let cleanup: () => Promise<void>;

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-freeze-'));
  hq = await startHqCouch({ dataDir: hqDir });
  hqConsole = new HqConsole(hq, hqDir);
  proxy = await FaultProxy.start({ port: hq.port });
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  // Enrolment pins HQ's control key: the branch applies only freezes HQ signed with it.
  await mkdir(path.join(tmp.dir, 'sync'), { recursive: true });
  await writeFile(path.join(tmp.dir, 'sync', 'hq-policy.pub'), (await hqConsole.keys()).control.publicKey);
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_HQ_URL: proxy.url, BRANCHLINE_BRANCH_ID: 'F1', BRANCHLINE_HTTPS: 'off' },
  });
});
after(async () => {
  await app?.stop();
  await proxy?.close();
  await hq?.close();
  await cleanup?.();
  await rm(hqDir, { recursive: true, force: true });
});

test('a freeze issued at HQ while the link is down ends the branch session within 5 s of the link coming up', async () => {
  const { admin } = await bootstrapAdmin(app);
  const { client } = await createSignedInUser(admin, 'agent7', ['agent'], 'a long agent passphrase 7');
  assert.equal((await client.request('GET', '/api/auth/me')).status, 200);
  // Audit records flow up once the replication is live.
  assert.ok(
    await waitFor(async () => (await hq.db('b-F1-audit').info()).doc_count > 0, 20_000),
    'branch audit reached HQ',
  );
  proxy.cut();
  await hqConsole.freeze('F1', 'agent7', 'left the company');
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(
    (await client.request('GET', '/api/auth/me')).status,
    200,
    'still signed in while HQ is unreachable',
  );
  proxy.heal();
  const up = Date.now();
  const ended = await waitFor(
    async () => (await client.request('GET', '/api/auth/me')).status === 401,
    5_000,
    100,
  );
  assert.ok(ended, 'session ended');
  assert.ok(Date.now() - up <= 5_000, `ended ${Date.now() - up} ms after the link came up`);
});
