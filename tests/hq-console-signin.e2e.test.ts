// `npm run hq` with operator sign-in, and the branch admin's quarantine
// release/discard through the real appliance: HQ can only relax its rules and
// ask; the branch decides, and each decision is in the branch audit trail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'otpauth';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { HqOperator } from './support/hq-console.ts';
import { type HqProcess, spawnHq, TotpStepper } from './support/hq-process.ts';
import { until } from './support/until.ts';

let hq: HqProcess;
let hqDir: string;
let couchUrl: string;
let consoleUrl: string;
let firstRunPassword: string;
let app: RunningAppliance;
let cleanup: () => Promise<void>;
/** The admin's HQ console session (cookie + CSRF token). */
let operator: HqOperator;
const hqCall = (method: string, url: string, body?: unknown) => operator.call(method, url, body);
/** The admin's authenticator (set up in the first test): a code works once. */
const adminCodes = new TotpStepper();

before(async () => {
  hq = await spawnHq('bl-hq-signin-', { BRANCHLINE_HQ_BRANCHES: 'E1' });
  ({ dir: hqDir, couchUrl, consoleUrl, oneTimePassword: firstRunPassword } = hq);
  operator = new HqOperator(consoleUrl);
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_HQ_URL: couchUrl,
      BRANCHLINE_BRANCH_ID: 'E1',
      BRANCHLINE_HTTPS: 'off',
      // HQ's replication port now requires each branch's own credentials (issued at enrolment).
      BRANCHLINE_HQ_CREDENTIALS_FILE: path.join(hqDir, 'enrolment', 'E1.json'),
    },
  });
});

after(async () => {
  await app?.stop();
  await hq?.stop();
  await cleanup?.();
});

/** HQ's replication port answers a branch only with its own credentials (from its enrolment file). */
function asBranch(): RequestInit {
  const c = JSON.parse(readFileSync(path.join(hqDir, 'enrolment', 'E1.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  return {
    headers: { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` },
  };
}

async function quarantineOf(admin: ApiClient, ticketId: string) {
  const r = await admin.request('GET', '/api/sync/quarantine');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return (
    r.json['quarantine'] as Array<{
      id: string;
      docId: string;
      reason: string;
      releaseRequest?: { note: string };
    }>
  ).filter((q) => q.docId === `ticket:${ticketId}`);
}

test('npm run hq prints a one-time operator password and its console refuses anyone not signed in', async () => {
  assert.match(firstRunPassword, /^[A-Za-z0-9_-]{24}$/);
  assert.equal((await hqCall('GET', '/api/branches')).status, 401);
  assert.equal(
    (await hqCall('POST', '/api/session', { username: 'admin', password: 'not it at all' })).status,
    401,
  );
  const first = await hqCall('POST', '/api/session', { username: 'admin', password: firstRunPassword });
  assert.equal(first.json['mustChangePassword'], true);
  assert.equal(
    (await hqCall('POST', '/api/password', { current: firstRunPassword, next: 'hq operator passphrase 1' }))
      .status,
    200,
  );
  // Every HQ operator sets up TOTP before the console opens.
  assert.equal((await hqCall('GET', '/api/branches')).json['error']['code'], 'HQ_MFA_ENROLMENT_REQUIRED');
  const mfaPage = await (await fetch(`${consoleUrl}/mfa`, { headers: { cookie: operator.cookie } })).text();
  const adminTotp = URI.parse(
    /data-testid="hq-mfa-uri">([^<]+)</.exec(mfaPage)?.[1]?.replace(/&#38;/g, '&') ?? '',
  );
  adminCodes.totp = adminTotp;
  adminCodes.lastAt = Date.now();
  assert.equal(
    (await hqCall('POST', '/api/mfa', { code: adminTotp.generate({ timestamp: adminCodes.lastAt }) })).status,
    200,
  );
  assert.equal((await hqCall('GET', '/api/branches')).status, 200);
});

test('a ticket HQ refuses is quarantined, released by the branch admin once HQ relaxed its rules, or discarded; both audited', async () => {
  // HQ refuses every ticket projection for now (they carry their fields under `f`).
  assert.equal((await hqCall('PUT', '/api/branches/E1/rules', { forbiddenFields: ['f'] })).status, 200);
  const { admin } = await bootstrapAdmin(app);
  const mkTicket = async (subject: string) => {
    const r = await admin.request('POST', '/api/tickets', { subject, description: 'd' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json['id'] as string;
  };
  const t1 = await mkTicket('refused then released');
  const [q1] = await until('t1 quarantined', async () => {
    const q = await quarantineOf(admin, t1);
    return q.length ? q : undefined;
  });
  assert.match(q1?.reason ?? '', /field not accepted at HQ: f/);

  // HQ sees it (from the branch status doc) and can only ask.
  await until('HQ lists the quarantined ticket', async () => {
    const b = (await hqCall('GET', '/api/branches')).json['branches'] as Array<{
      branch: string;
      quarantine: Array<{ docId: string }>;
    }>;
    return b.find((x) => x.branch === 'E1')?.quarantine.some((q) => q.docId === `ticket:${t1}`) || undefined;
  });
  const asked = await hqCall('POST', '/api/branches/E1/quarantine/requests', {
    cls: 'tickets',
    docId: `ticket:${t1}`,
    note: 'rules fixed soon',
  });
  assert.equal(asked.status, 201);
  await until(
    'the branch shows HQ request',
    async () =>
      (await quarantineOf(admin, t1)).some((q) => q.releaseRequest?.note === 'rules fixed soon') || undefined,
  );

  const still = await admin.request(
    'POST',
    `/api/sync/quarantine/${encodeURIComponent(q1?.id ?? '')}/release`,
  );
  assert.equal(still.status, 409);
  assert.equal(still.json['error']['code'], 'SYNC_QUARANTINE_STILL_REFUSED');

  assert.equal((await hqCall('PUT', '/api/branches/E1/rules', { forbiddenFields: [] })).status, 200);
  const released = await admin.request(
    'POST',
    `/api/sync/quarantine/${encodeURIComponent(q1?.id ?? '')}/release`,
  );
  assert.equal(released.status, 200, JSON.stringify(released.json));
  assert.equal((await quarantineOf(admin, t1)).length, 0, 'every entry of the ticket is closed');
  const atHq = await fetch(`${couchUrl}/b-E1-tickets/${encodeURIComponent(`ticket:${t1}`)}`, asBranch());
  assert.equal(atHq.status, 200, 'the ticket landed at HQ');
  assert.equal(((await atHq.json()) as { _rev: string })._rev, released.json['rev']);

  assert.equal((await hqCall('PUT', '/api/branches/E1/rules', { forbiddenFields: ['f'] })).status, 200);
  const t2 = await mkTicket('refused then discarded');
  const [q2] = await until('t2 quarantined', async () => {
    const q = await quarantineOf(admin, t2);
    return q.length ? q : undefined;
  });
  const agent = await createSignedInUser(admin, 'agent.e1', ['agent'], 'agent e1 passphrase');
  const forbidden = await agent.client.request(
    'POST',
    `/api/sync/quarantine/${encodeURIComponent(q2?.id ?? '')}/discard`,
  );
  assert.equal(forbidden.status, 403, 'an agent may not decide');
  // The admin decides on the console's HQ sync page, in Chromium, with their session.
  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, admin, { locale: 'en-US' });
    const page = await ctx.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(app.base);
    await page.getByTestId('nav-sync').click();
    // One row per quarantined revision: a later revision of the same ticket may be refused too.
    await page.getByTestId(`sync-q-${q2?.id}-discard`).click();
    await page.getByTestId(`sync-q-${q2?.id}`).waitFor({ state: 'detached', timeout: 15_000 });
  } finally {
    await browser.close();
  }
  assert.equal(
    (await quarantineOf(admin, t2)).some((q) => q.id === q2?.id),
    false,
  );
  assert.equal(
    (await fetch(`${couchUrl}/b-E1-tickets/${encodeURIComponent(`ticket:${t2}`)}`, asBranch())).status,
    404,
  );

  assert.equal(
    (
      await admin.request('POST', '/api/roles', {
        id: 'trail-reader',
        description: 'reads the audit trail',
        permissions: ['audit.read'],
      })
    ).status,
    201,
  );
  const reader = await createSignedInUser(admin, 'trail.reader', ['trail-reader'], 'trail reader password 1');
  const me = (await admin.request('GET', '/api/auth/me')).json;
  const records = await until('both decisions in the audit trail', async () => {
    const r = await reader.client.request('GET', '/api/audit?limit=1000');
    const all = r.json['records'] as Array<Record<string, unknown>>;
    const mine = all.filter(
      (x) => x['action'] === 'sync.quarantine_released' || x['action'] === 'sync.quarantine_discarded',
    );
    return mine.length >= 2 ? mine : undefined;
  });
  for (const r of records) assert.equal(r['actor'], me['user']['id'], 'the admin who decided');
});

test('the HQ console disables another operator in Chromium only after a confirm, lists them as disabled, and their session is refused at once', async () => {
  const created = await hqCall('POST', '/api/operators', {
    username: 'analyst',
    password: 'analyst initial pw 1',
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  // The analyst's own session, kept apart from the admin's cookie in hqCall.
  const signIn = await fetch(`${consoleUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst', password: 'analyst initial pw 1' }),
  });
  assert.equal(signIn.status, 200);
  const analystCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const analystSession = async () =>
    (await fetch(`${consoleUrl}/api/session`, { headers: { cookie: analystCookie } })).status;
  assert.equal(await analystSession(), 200);

  const browser = await launchChromium();
  const dialogs: string[] = [];
  let accept = false;
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void (accept ? d.accept() : d.dismiss());
    });
    await page.goto(`${consoleUrl}/login`);
    await page.getByTestId('hq-username').fill('admin');
    await page.getByTestId('hq-password').fill('hq operator passphrase 1');
    await page.getByTestId('hq-totp').fill(await adminCodes.next());
    await page.getByTestId('hq-sign-in').click();
    await page.getByTestId('hq-operators').waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('hq-disable-admin').count(), 0, 'no Disable button for oneself');
    const disable = page.getByTestId('hq-disable-analyst').getByRole('button', { name: 'Disable' });

    // Cancelled: nothing is sent, the analyst stays signed in.
    await disable.click();
    await until('the confirm was asked', () => dialogs.length === 1 || undefined);
    assert.equal(await analystSession(), 200);
    assert.equal(await page.getByTestId('hq-operator-analyst').getAttribute('data-disabled'), 'false');

    accept = true;
    await disable.click();
    await page
      .locator('[data-testid="hq-operator-analyst"][data-disabled="true"]')
      .waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('hq-operator-analyst').textContent()) ?? '', /disabled by admin/);
    assert.equal(
      await page.getByTestId('hq-disable-analyst').count(),
      0,
      'no button for a disabled operator',
    );
  } finally {
    await browser.close();
  }
  assert.match(dialogs[0] ?? '', /Disable operator analyst\?/);
  assert.equal(dialogs.length, 2);
  assert.equal(await analystSession(), 401, 'the disabled operator’s session is refused');
  const list = await hqCall('GET', '/api/operators');
  assert.deepEqual(
    (list.json['operators'] as Array<{ username: string; disabled: boolean }>).map((o) => [
      o.username,
      o.disabled,
    ]),
    [
      ['admin', false],
      ['analyst', true],
    ],
  );
});
