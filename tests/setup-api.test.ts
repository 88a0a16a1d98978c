// The setup wizard's API against the real appliance: only an admin reads or changes it,
// every refusal is a coded 400 naming the field, each change is on the audit trail, a
// value the environment sets wins over the stored one, and progress survives a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, createSignedInUser, nextTotp } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';

let app: RunningAppliance;
let admin: ApiClient;
let mfa: { secret: string; lastStep: number };
let tmp: { dir: string; cleanup: () => Promise<void> };
const env = { BRANCHLINE_TIMEZONE: 'Europe/Berlin', BRANCHLINE_HTTPS: 'off' };
const BRANCH = {
  name: '示例支行',
  branchId: 'SH01',
  language: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  phoneRegion: 'CN',
};

before(async () => {
  tmp = await tempDataDir('bl-setup-api-');
  app = await startAppliance(tmp.dir, { env });
  const boot = await bootstrapAdmin(app);
  admin = boot.admin;
  mfa = { secret: boot.secret, lastStep: boot.lastStep };
});
after(async () => {
  await app?.stop();
  await tmp?.cleanup();
});

test('setup is admin-only, refuses bad values with the field named, audits each change, and the environment wins', {
  timeout: 150_000,
}, async () => {
  const agent = await createSignedInUser(admin, 'setup.agent', ['agent'], 'setup agent password 1');
  assert.equal((await agent.client.request('GET', '/api/setup')).status, 403);
  assert.equal((await agent.client.request('PUT', '/api/setup/steps/branch', { state: 'done' })).status, 403);

  const before = await agent.client.request('GET', '/api/branch');
  assert.deepEqual(
    before.json,
    { name: '', timeZone: 'Europe/Berlin' },
    'no branch language before the wizard sets one; the time zone consoles show dates in',
  );
  const bad = await admin.request('PUT', '/api/setup/branch', { ...BRANCH, phoneRegion: 'XX' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json['error'].code, 'SETUP_INVALID_FIELD');
  assert.equal(bad.json['error'].details.field, 'phoneRegion');
  const step = await admin.request('PUT', '/api/setup/steps/nope', { state: 'done' });
  assert.equal(step.status, 400);
  assert.equal(step.json['error'].code, 'HTTP_VALIDATION');

  const saved = await admin.request('PUT', '/api/setup/branch', BRANCH);
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.equal(saved.json['branch'].timeZone, 'Europe/Berlin', 'BRANCHLINE_TIMEZONE wins');
  assert.equal(saved.json['sources'].timeZone, 'environment');
  assert.equal(saved.json['branch'].branchId, 'SH01');
  assert.equal((await admin.request('PUT', '/api/setup/steps/email', { state: 'skipped' })).status, 200);
  const branch = await agent.client.request('GET', '/api/branch');
  assert.deepEqual(
    branch.json,
    { name: '示例支行', timeZone: 'Europe/Berlin', language: 'zh-CN' },
    'every console reads the branch language',
  );

  // A custom role with audit.read only (the built-in auditor role requires MFA enrolment first).
  const role = await admin.request('POST', '/api/roles', {
    id: 'setup-trail-reader',
    description: 'reads the audit trail',
    permissions: ['audit.read'],
  });
  assert.equal(role.status, 201);
  const auditor = await createSignedInUser(
    admin,
    'setup.trail',
    ['setup-trail-reader'],
    'setup trail password 1',
  );
  const trail = await auditor.client.request('GET', '/api/audit?action=setup.*&limit=50');
  assert.equal(trail.status, 200, JSON.stringify(trail.json));
  const actions = (trail.json['records'] as Array<{ action: string; details: Record<string, unknown> }>).map(
    (r) => `${r.action}:${String(r.details['step'] ?? r.details['fields'])}`,
  );
  assert.deepEqual(actions.sort(), [
    'setup.branch_changed:name,branchId,language,timeZone,phoneRegion',
    'setup.step_changed:email',
  ]);

  // Progress is stored: a restart resumes where the wizard was left.
  await app.stop();
  app = await startAppliance(tmp.dir, { env });
  const client = new ApiClient(app.base);
  const { code } = await nextTotp(mfa.secret, mfa.lastStep);
  assert.equal((await client.login('admin', ADMIN_PASSWORD, code)).status, 200);
  const view = await client.request('GET', '/api/setup');
  assert.equal(view.status, 200, JSON.stringify(view.json));
  assert.equal(view.json['steps'].email, 'skipped');
  assert.equal(view.json['steps'].branch, 'pending');
  assert.equal(view.json['complete'], false);
  assert.equal(view.json['branch'].name, '示例支行');
});
