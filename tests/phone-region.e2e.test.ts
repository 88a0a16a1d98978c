// Phone numbers read in the branch's region, against the real appliance process:
// a customer entered as the national mobile 13900001111 (region CN) is popped
// for a sipp trunk call whose caller ID is +8613900001111; landlines are accepted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { INBOUND_FLOW, routeAllTo, TESTDATA } from './voice-support/e2e.ts';
import { run } from './voice-support/util.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
const kills: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-phone-');
  work = await tempDataDir('bl-phone-work-');
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1',
      BRANCHLINE_HTTPS: 'off',
      BRANCHLINE_PHONE_REGION: 'CN',
    },
  });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  for (const k of kills) k();
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

test('customers take Chinese mobiles, landlines, extensions and service numbers, stored as E.164 beside what was typed', async () => {
  const mobile = await admin.request('POST', '/api/customers', { name: 'Wang Fang', phone: '13900001111' });
  ok(mobile, 201);
  assert.equal(mobile.json['phone'], '+8613900001111');
  assert.equal(mobile.json['phoneRaw'], '13900001111');
  const land = await admin.request('POST', '/api/customers', {
    name: 'Beijing office',
    phone: '010-62345678',
  });
  ok(land, 201);
  assert.equal(land.json['phone'], '+861062345678');
  const ext = await admin.request('POST', '/api/customers', { name: 'Desk', phone: '010-62345678转123' });
  ok(ext, 201);
  assert.equal(ext.json['phone'], '+861062345678;ext=123');
  const hotline = await admin.request('POST', '/api/customers', { name: 'Hotline', phone: '400-820-8820' });
  ok(hotline, 201);
  assert.equal(hotline.json['phone'], '+864008208820');
  const found = await admin.request('GET', `/api/customers?phone=${encodeURIComponent('+8613900001111')}`);
  ok(found, 200);
  assert.deepEqual(
    found.json['customers'].map((c: { id: string }) => c.id),
    [mobile.json['id']],
  );
  const bad = await admin.request('POST', '/api/customers', { name: 'Nobody', phone: '12' });
  ok(bad, 400);
  assert.equal(bad.json['error'].code, 'CUSTOMERS_INVALID_FIELD');
});

test('a sipp trunk call with caller ID +8613900002222 pops the customer entered as the national 139 0000 2222', {
  timeout: 120_000,
}, async () => {
  const created = await admin.request('POST', '/api/customers', { name: 'Li Wei', phone: '139 0000 2222' });
  ok(created, 201);
  const customerId = created.json['id'] as string;
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  const sipPort = status.json['sip'].port as number;

  // The stock trunk scenario, calling from the customer's number in international form.
  const scenario = (await readFile(join(TESTDATA, 'trunk-call.xml'), 'utf8')).replaceAll(
    'sip:+8613800138000@',
    'sip:+8613900002222@',
  );
  await writeFile(join(work.dir, 'call.xml'), scenario);
  await run('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    join(work.dir, 'caller.wav'),
    'trim',
    '0',
    '2',
  ]);
  const sipp = spawn(
    'sipp',
    [
      ...[`127.0.0.1:${sipPort}`, '-sf', join(work.dir, 'call.xml'), '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(await freePort()), '-mp', String(await freePort()), '-timeout', '60s', '-nostdin'],
    ],
    { cwd: work.dir, stdio: 'ignore' },
  );
  kills.push(() => sipp.kill('SIGKILL'));
  const done = new Promise<number | null>((r) => sipp.once('exit', (code) => r(code)));

  const call = await until(
    'the call to carry the customer found by caller ID',
    async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      const calls = r.json['calls'] as Array<{ id: string; customerId?: string }>;
      return calls.find((c) => c.customerId !== undefined);
    },
    { timeoutMs: 20_000, everyMs: 50 },
  );
  assert.equal(call.customerId, customerId);
  const pop = await admin.request('GET', `/api/crm/customers/${customerId}/screenpop`);
  ok(pop, 200);
  assert.equal(pop.json['customerId'], customerId);
  assert.equal(pop.json['customer'].name, 'Li Wei');
  assert.equal(await done, 0);
});
