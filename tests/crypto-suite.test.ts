// The crypto suite on a real appliance: chosen at first start (BRANCHLINE_CRYPTO_SUITE),
// refused when changed without migration, and migrated online (`branchline keys
// migrate-suite gm` through the control socket): fields re-encrypted to SM4-CTR +
// HMAC-SM3 and the audit chain switching to SM3 at a marked record, verified end to end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { CUSTOMER_SEALED_FIELDS } from '../appliance/src/customers/index.ts';
import { openPouchStore } from '../appliance/src/storage/index.ts';
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

/** The envelope tags of every sealed customer field, and the audit records' algorithms, read from LevelDB (appliance stopped). */
async function rawState(dataDir: string): Promise<{ tags: string[]; algs: string[]; actions: string[] }> {
  const customers = await openPouchStore(path.join(dataDir, 'db'), 'customers');
  const tags: string[] = [];
  for (const d of await customers.list<Record<string, unknown>>({ prefix: 'cust:' })) {
    for (const f of CUSTOMER_SEALED_FIELDS) {
      const v = d[f];
      if (typeof v === 'string') tags.push(v.slice(0, 7));
    }
  }
  await customers.close();
  const audit = await openPouchStore(path.join(dataDir, 'db'), 'audit');
  const recs = await audit.list<Record<string, unknown>>({ prefix: 'rec:' });
  await audit.close();
  return {
    tags,
    algs: recs.map((r) => String(r['alg'] ?? 'sha256')),
    actions: recs.map((r) => String(r['action'])),
  };
}

test('a classic appliance migrates to gm online: fields re-encrypted, audit chain switches to SM3 and verifies, the old suite is then refused', async () => {
  const tmp = await tempDataDir('bl-suite-');
  cleanups.push(tmp.cleanup);
  const app = await startAppliance(tmp.dir);
  const { admin, secret, lastStep } = await bootstrapAdmin(app);
  const ids: Array<[string, string]> = [];
  for (let i = 0; i < 4; i++) {
    const bankCard = validBankCard();
    const r = await admin.request('POST', '/api/customers', { name: `Suite ${i}`, bankCard });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    ids.push([r.json['id'], bankCard]);
  }
  assert.equal(JSON.parse(readFileSync(path.join(tmp.dir, 'keys', 'keyring.json'), 'utf8')).suite, 'classic');

  const migrated = await cli(tmp.dir, 'keys', 'migrate-suite', 'gm');
  const count = Number(/(\d+) documents re-encrypted/.exec(migrated.stdout)?.[1]);
  assert.match(migrated.stdout, /crypto suite is now gm; .* \(via the running appliance\)/);
  assert.ok(count >= ids.length, `customers re-encrypted: ${migrated.stdout}`);
  for (const [id, card] of ids) {
    const r = await admin.request('GET', `/api/customers/${id}`);
    assert.equal(r.json['bankCard'], card, 'data still reads after the migration');
  }
  const later = await admin.request('POST', '/api/customers', { name: 'After', bankCard: validBankCard() });
  assert.equal(later.status, 201);
  assert.match((await cli(tmp.dir, 'audit', 'verify')).stdout, /^OK/);
  await app.stop();

  const raw = await rawState(tmp.dir);
  assert.ok(raw.tags.length >= 10, `sealed fields found: ${raw.tags.length}`);
  assert.deepEqual([...new Set(raw.tags)], ['enc:g1:'], 'every sealed customer field is SM4 now');
  const switchAt = raw.algs.indexOf('sm3');
  assert.ok(switchAt > 0, 'the chain starts SHA-256 and switches');
  assert.deepEqual(
    raw.algs.slice(switchAt),
    raw.algs.slice(switchAt).map(() => 'sm3'),
    'SM3 from the switch on',
  );
  assert.ok(raw.actions.includes('keys.suite_migrated'));
  const report = JSON.parse((await cli(tmp.dir, 'audit', 'verify', '--json')).stdout) as { ok: boolean };
  assert.equal(report.ok, true, 'the mixed chain verifies end to end');

  await assert.rejects(
    startAppliance(tmp.dir, { env: { BRANCHLINE_CRYPTO_SUITE: 'classic' } }),
    /STORAGE_SUITE_MISMATCH|set up with gm/,
  );
  const again = await startAppliance(tmp.dir, { env: { BRANCHLINE_CRYPTO_SUITE: 'gm' } });
  try {
    const client = new ApiClient(again.base);
    const login = await client.login('admin', ADMIN_PASSWORD, (await nextTotp(secret, lastStep)).code);
    assert.equal(login.status, 200, JSON.stringify(login.json));
    const [id, card] = ids[0] as [string, string];
    assert.equal((await client.request('GET', `/api/customers/${id}`)).json['bankCard'], card);
  } finally {
    await again.stop();
  }
});

test('an appliance set up with BRANCHLINE_CRYPTO_SUITE=gm seals with SM4 and chains its audit log with SM3 from the first record', async () => {
  const tmp = await tempDataDir('bl-suite-gm-');
  cleanups.push(tmp.cleanup);
  const app = await startAppliance(tmp.dir, { env: { BRANCHLINE_CRYPTO_SUITE: 'gm' } });
  const { admin } = await bootstrapAdmin(app);
  const card = validBankCard();
  const r = await admin.request('POST', '/api/customers', { name: '国密 客户', bankCard: card });
  assert.equal(r.status, 201);
  assert.equal((await admin.request('GET', `/api/customers/${r.json['id']}`)).json['bankCard'], card);
  await app.stop();
  const keyring = JSON.parse(readFileSync(path.join(tmp.dir, 'keys', 'keyring.json'), 'utf8'));
  assert.deepEqual([keyring.suite, keyring.indexSuite], ['gm', 'gm']);
  const raw = await rawState(tmp.dir);
  assert.deepEqual([...new Set(raw.tags)], ['enc:g1:']);
  assert.ok(raw.algs.length > 0);
  assert.deepEqual([...new Set(raw.algs)], ['sm3']);
  const report = JSON.parse((await cli(tmp.dir, 'audit', 'verify', '--json')).stdout) as { ok: boolean };
  assert.equal(report.ok, true);
  await assert.rejects(
    startAppliance(tmp.dir, { env: { BRANCHLINE_CRYPTO_SUITE: 'classic' } }),
    /STORAGE_SUITE_MISMATCH|set up with gm/,
  );
});
