// Canary scan: ≥100 synthetic ID-card, bank-card and phone numbers stored
// through the API; then every byte of the data directory (LevelDB files,
// keyring, audit log, TLS, backups) and the process logs are searched for them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { validBankCard, validIdCard, validPhone } from './support/synthetic.ts';

const run = promisify(execFile);
const COUNT = 120;
let cleanup: (() => Promise<void>) | undefined;
after(() => cleanup?.());

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

test(`no plaintext of ${COUNT} ID-card, bank-card and phone canaries anywhere in the data directory`, async () => {
  const tmp = await tempDataDir('bl-canary-');
  cleanup = tmp.cleanup;
  const app = await startAppliance(tmp.dir, { env: { BRANCHLINE_LOG_LEVEL: 'debug' } });
  const { admin } = await bootstrapAdmin(app);
  const canaries: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const idCard = validIdCard();
    const bankCard = validBankCard();
    const phone = validPhone();
    const r = await admin.request('POST', '/api/customers', { name: `Canary ${i}`, idCard, bankCard, phone });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // The API answers an admin in full, so the values really went in as given.
    assert.equal(r.json['bankCard'], bankCard);
    canaries.push(idCard, bankCard, phone.slice(1));
    const found = await admin.request('GET', `/api/customers?phone=${encodeURIComponent(phone)}`);
    assert.equal(found.json['customers'][0]?.idCard, idCard, 'blind-index lookup finds the customer');
  }
  const logs = app.stdout() + app.stderr();
  await app.stop();
  const backup = await run(process.execPath, ['bin/branchline.mjs', 'backup', 'create'], {
    cwd: ROOT,
    env: { ...process.env, BRANCHLINE_DATA_DIR: tmp.dir },
  });
  assert.match(backup.stdout, /blbak/);

  // Positive control: the scanner must find a canary planted in clear.
  await writeFile(path.join(tmp.dir, 'control.txt'), `planted ${canaries[0]}`);
  const files = await allFiles(tmp.dir);
  assert.ok(
    files.some((f) => /\.(ldb|log)$/.test(f)),
    'LevelDB files are scanned',
  );
  assert.ok(
    files.some((f) => f.endsWith('.blbak')),
    'the backup is scanned',
  );
  const hits: string[] = [];
  const needles = canaries.flatMap((c) => [c, c.slice(-10)]);
  for (const f of files) {
    const text = (await readFile(f)).toString('latin1');
    for (const n of needles) if (text.includes(n)) hits.push(`${path.relative(tmp.dir, f)}: ${n}`);
  }
  for (const n of needles) if (logs.includes(n)) hits.push(`process log: ${n}`);
  assert.ok(hits.includes(`control.txt: ${canaries[0]}`), 'the scan finds a planted canary');
  const real = hits.filter((h) => !h.startsWith('control.txt'));
  assert.deepEqual(real, [], `${real.length} plaintext hits`);
});
