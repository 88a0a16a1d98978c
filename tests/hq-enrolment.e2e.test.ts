// Enrolment as an operator does it, in Chromium: the HQ operator adds a branch
// and reads its one-time join bundle off the page; the branch admin pastes it
// on the Join HQ page of a fresh appliance (no HQ env vars), sees the
// connection test and what will leave the branch, confirms, and a ticket
// reaches HQ without a restart. A forged or damaged bundle is refused; a
// policy change published at HQ shows at the branch as a per-field diff.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { generatePolicyKey, issueJoinBundle, signPolicy } from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, createSignedInUser, nextTotp } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { ApiClient } from './support/client.ts';
import { HqOperator } from './support/hq-console.ts';
import { type HqProcess, spawnHq, type TotpStepper } from './support/hq-process.ts';
import { until } from './support/until.ts';

const BRANCH = 'SZ07';
let hq: HqProcess;
let couchUrl: string;
let consoleUrl: string;
let app: RunningAppliance;
let dataDir: string;
let cleanup: () => Promise<void>;
let browser: Browser;
let admin: ApiClient;
let adminSecret: string;
let adminLastStep: number;
let hqCodes: TotpStepper;
/** The bundle text as the HQ page showed it. */
let bundleText = '';

/** What the bundle text carries, read with zlib and JSON only (not the project's decoder). */
function bundleBody(text: string): Record<string, unknown> {
  const b64 = text.replace(/\s+/g, '').replace(/^BLHQ1-/, '');
  return JSON.parse(inflateRawSync(Buffer.from(b64, 'base64url')).toString('utf8')) as Record<
    string,
    unknown
  >;
}

function basic(username: string, password: string): RequestInit {
  return { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } };
}

async function hqPage(): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${consoleUrl}/login`);
  await page.getByTestId('hq-username').fill('admin');
  await page.getByTestId('hq-password').fill('hq operator passphrase 1');
  await page.getByTestId('hq-totp').fill(await hqCodes.next());
  await page.getByTestId('hq-sign-in').click();
  await page.getByTestId('hq-add-branch').waitFor({ timeout: 15_000 });
  return page;
}

/** The branch admin signs in on the console's own sign-in page (password + authenticator code). */
async function branchPage(locale: string): Promise<Page> {
  const page = await (await browser.newContext({ locale, ignoreHTTPSErrors: true })).newPage();
  await page.goto(app.base);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  // The code field appears once the server asks for the second factor.
  await page.getByTestId('login-submit').click();
  const { code, step } = await nextTotp(adminSecret, adminLastStep);
  adminLastStep = step;
  await page.getByTestId('login-totp').fill(code);
  await page.getByTestId('login-submit').click();
  // The admin's own choice, over the branch language the setup wizard may have set.
  await page.getByTestId('lang-switch').selectOption(locale.startsWith('zh') ? 'zh-CN' : 'en');
  await page.getByTestId('nav-join-hq').click();
  await page.getByTestId('join-hq-panel').waitFor({ timeout: 15_000 });
  return page;
}

async function startHq(): Promise<void> {
  hq = await spawnHq('bl-hq-enrol-');
  ({ couchUrl, consoleUrl } = hq);
  // HQ first run, set up over HTTP (process setup): the one-time password replaced and TOTP enrolled.
  hqCodes = await new HqOperator(consoleUrl).firstSignIn(
    'admin',
    hq.oneTimePassword,
    'hq operator passphrase 1',
  );
}

before(async () => {
  await startHq();
  const tmp = await tempDataDir('bl-enrol-branch-');
  dataDir = tmp.dir;
  cleanup = tmp.cleanup;
  // A fresh appliance: no BRANCHLINE_HQ_URL, no credentials file.
  app = await startAppliance(dataDir, { env: { BRANCHLINE_HTTPS: 'off' } });
  const boot = await bootstrapAdmin(app);
  admin = boot.admin;
  adminSecret = boot.secret;
  adminLastStep = boot.lastStep;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await hq?.stop();
  await cleanup?.();
});

test('the HQ operator adds a branch in the HQ console and gets its one-time bundle as text, QR code and file; the operator log records it without the secret', async () => {
  const page = await hqPage();
  await page.getByTestId('hq-new-branch-id').fill(BRANCH);
  await page.getByTestId('hq-new-branch-name').fill('Shenzhen Futian');
  await page.getByTestId('hq-add-branch-submit').click();
  await page.getByTestId('hq-bundle').waitFor({ state: 'visible', timeout: 15_000 });
  bundleText = await page.getByTestId('hq-bundle-text').inputValue();
  assert.match(bundleText, /^BLHQ1-[A-Za-z0-9_-]+$/);
  assert.match(
    (await page.getByTestId('hq-bundle-title').textContent()) ?? '',
    /SZ07 \(Shenzhen Futian\).*v1/,
  );
  assert.equal(await page.getByTestId('hq-bundle-qr').locator('svg').count(), 1, 'a QR code is drawn');
  assert.equal(
    await page.getByTestId('hq-bundle-download').getAttribute('download'),
    `branchline-join-${BRANCH}.txt`,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-01-bundle.png') });

  const body = bundleBody(bundleText);
  assert.equal(body['branch'], BRANCH);
  assert.equal(body['hqUrl'], couchUrl);
  // The credentials are the branch's own: its inbound db opens, another branch's does not.
  const creds = basic(String(body['username']), String(body['password']));
  assert.equal((await fetch(`${couchUrl}/b-${BRANCH}-inbound/policy`, creds)).status, 200);
  assert.equal((await fetch(`${couchUrl}/b-OTHER-inbound`, creds)).status, 403);

  await page.goto(`${consoleUrl}/log`);
  const added = page.locator('[data-action="branch.added"]');
  await added.first().waitFor({ timeout: 10_000 });
  const row = (await added.first().textContent()) ?? '';
  assert.match(row, /branch: SZ07/);
  assert.ok(!row.includes(String(body['password'])), 'the log never holds the bundle secret');
  await page.context().close();
});

test('a damaged bundle and one forged with another signing key are refused at the branch with a clear message, and nothing is joined', async () => {
  assert.ok(bundleText, 'the first test issued a bundle');
  const page = await branchPage('en-US');
  assert.match((await page.getByTestId('join-status-none').textContent()) ?? '', /not joined HQ/);

  // One character changed in the middle of the text.
  const mid = Math.floor(bundleText.length / 2);
  const damaged =
    bundleText.slice(0, mid) + (bundleText[mid] === 'A' ? 'B' : 'A') + bundleText.slice(mid + 1);
  await page.getByTestId('join-bundle').fill(damaged);
  await page.getByTestId('join-test').click();
  const err = page.getByTestId('join-error');
  await err.waitFor({ timeout: 15_000 });
  assert.equal(await err.getAttribute('data-code'), 'SYNC_BUNDLE_INVALID');
  assert.match((await err.textContent()) ?? '', /not a valid HQ join bundle/);
  assert.equal(await page.getByTestId('join-preview').count(), 0);

  // Well-formed and self-consistent, with the real URL and credentials, but pinning an impostor's key.
  const real = bundleBody(bundleText);
  const impostor = generatePolicyKey();
  const { v: _v, sig: _sig, ...rest } = real;
  const forged = issueJoinBundle(
    {
      ...(rest as unknown as Parameters<typeof issueJoinBundle>[0]),
      hqControlKey: impostor.publicKey,
      policy: signPolicy((real['policy'] as { policy: Parameters<typeof signPolicy>[0] }).policy, impostor),
    },
    impostor,
  );
  await page.getByTestId('join-bundle').fill(forged);
  await page.getByTestId('join-test').click();
  await page.locator('[data-testid="join-preview"][data-ok="false"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('join-check-reachable').getAttribute('data-result'), 'ok');
  assert.equal(await page.getByTestId('join-check-credentials').getAttribute('data-result'), 'ok');
  assert.equal(await page.getByTestId('join-check-keys').getAttribute('data-result'), 'failed');
  assert.match((await page.getByTestId('join-check-keys').textContent()) ?? '', /the bundle may be forged/);
  assert.match((await page.getByTestId('join-checks-verdict').textContent()) ?? '', /cannot be used/);
  assert.equal(await page.getByTestId('join-confirm').isDisabled(), true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-02-forged.png') });

  // The server refuses it too, whatever a page would allow.
  const direct = await admin.request('POST', '/api/sync/join', { bundle: forged });
  assert.equal(direct.status, 409);
  assert.equal(direct.json['error']['code'], 'SYNC_JOIN_CHECK_FAILED');
  const status = await admin.request('GET', '/api/sync/status');
  assert.equal(status.json['enabled'], false);
  assert.equal(status.json['link'], undefined);
  await page.context().close();
});

test('the branch admin joins HQ on the Join HQ page (zh-CN): connection test, per-field table, confirm; a ticket reaches HQ without a restart', async () => {
  const page = await branchPage('zh-CN');
  assert.equal((await page.getByTestId('nav-join-hq').textContent())?.trim(), '加入总部');
  await page.getByTestId('join-bundle').fill(bundleText);
  await page.getByTestId('join-test').click();
  await page.locator('[data-testid="join-preview"][data-ok="true"]').waitFor({ timeout: 15_000 });
  for (const c of ['reachable', 'credentials', 'keys'])
    assert.equal(await page.getByTestId(`join-check-${c}`).getAttribute('data-result'), 'ok', c);
  // HQ is plain HTTP here: there is no TLS pin to test.
  assert.equal(await page.getByTestId('join-check-tls').getAttribute('data-result'), 'skipped');
  assert.match((await page.getByTestId('join-ca').textContent()) ?? '', /明文 HTTP/);
  const rule = (id: string) => page.getByTestId(`join-fields-${id}`).getAttribute('data-rule');
  assert.equal(await rule('tickets-status'), 'plain');
  assert.equal(await rule('tickets-customerId'), 'token');
  assert.equal(await rule('tickets-subject'), 'sealed');
  assert.equal(await rule('crm-address'), 'sealed');
  assert.equal(await rule('recordings'), 'withheld');
  assert.equal(await rule('message_bodies'), 'withheld');
  assert.match(
    (await page.getByTestId('join-fields-tickets-subject').textContent()) ?? '',
    /工单.*subject.*密封/,
  );
  assert.match((await page.getByTestId('join-fields-recordings').textContent()) ?? '', /通话录音.*不外发/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-03-preview.png') });

  await page.getByTestId('join-confirm').click();
  await page.locator('[data-testid="join-status"][data-source="joined"]').waitFor({ timeout: 20_000 });
  assert.match(
    (await page.getByTestId('join-status-link').textContent()) ?? '',
    new RegExp(`网点 ${BRANCH}`),
  );

  const made = await admin.request('POST', '/api/tickets', { subject: 'printer on fire', description: 'd' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const id = made.json['id'] as string;
  const body = bundleBody(bundleText);
  const creds = basic(String(body['username']), String(body['password']));
  const atHq = await until(
    'the ticket reaches HQ',
    async () => {
      const r = await fetch(`${couchUrl}/b-${BRANCH}-tickets/${encodeURIComponent(`ticket:${id}`)}`, creds);
      return r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined;
    },
    { timeoutMs: 30_000 },
  );
  assert.ok(!JSON.stringify(atHq).includes('printer on fire'), 'the sealed subject is not plain at HQ');
  await page.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-04-joined.png') });

  // The join is on the branch audit trail, by the admin, without the secret.
  const me = (await admin.request('GET', '/api/auth/me')).json;
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
  const joined = await until('sync.hq_joined audited', async () => {
    const r = await reader.client.request('GET', '/api/audit?limit=1000');
    return (r.json['records'] as Array<Record<string, unknown>> | undefined)?.find(
      (x) => x['action'] === 'sync.hq_joined',
    );
  });
  assert.equal(joined['actor'], me['user']['id']);
  assert.ok(!JSON.stringify(joined).includes(String(body['password'])));
  await page.context().close();
});

test('a policy change published in the HQ console reaches the branch, verified, and shows there as a per-field diff; the fleet page lists the branch with its lag', async () => {
  const page = await hqPage();
  await page.getByTestId('hq-policy-branch').selectOption(BRANCH);
  await page.getByTestId('hq-policy-class').selectOption('crm');
  await page.getByTestId('hq-policy-field').fill('segment');
  await page.getByTestId('hq-policy-rule').selectOption('withheld');
  await page.getByTestId('hq-policy-publish').click();
  await page
    .getByTestId('hq-policy-log')
    .getByText('2', { exact: true })
    .first()
    .waitFor({ timeout: 15_000 });

  // HQ's fleet dashboard lists the joined branch, online, with its replication lag (from its status doc).
  await page.getByTestId('hq-fleet-link').click();
  const row = page.locator(`[data-testid="fleet-row-${BRANCH}"][data-online="true"]`);
  await until(
    'the fleet page lists the branch online',
    async () => {
      if ((await row.count()) === 1) return true;
      await page.reload();
      return undefined;
    },
    { timeoutMs: 30_000, everyMs: 1_000 },
  );
  assert.match((await row.locator('[data-field="lagDocs"]').textContent()) ?? '', /^\d+$/);
  assert.match((await row.locator('[data-field="lagSeconds"]').textContent()) ?? '', /^\d+(\.\d+)?$/);
  // …and its KPIs: the ticket the branch created after joining counts as open, its audit as records.
  await until(
    'the fleet KPIs count the branch ticket',
    async () => {
      const line = (await page.getByTestId('fleet-tickets').textContent()) ?? '';
      if (/(open|未解决) [1-9]\d*/.test(line) && /[1-9]\d*$/.test(line.trim())) return true;
      await page.reload();
      return undefined;
    },
    { timeoutMs: 30_000, everyMs: 1_000 },
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-06-fleet.png') });
  await page.context().close();

  const branch = await branchPage('en-US');
  const change = branch.getByTestId('join-policy-change-crm-segment');
  await change.waitFor({ timeout: 30_000 });
  assert.match(
    (await change.textContent()) ?? '',
    /CRM \(customers\) · segment: plain \(as is\) → withheld \(never leaves\)/,
  );
  assert.equal(await branch.getByTestId('join-fields-now-crm-segment').getAttribute('data-rule'), 'withheld');
  await branch.screenshot({ path: path.join(ARTIFACTS, 'hq-enrolment-05-policy-diff.png') });
  await branch.context().close();
});

test('after a restart the branch resumes replication from the stored bundle (its secret encrypted at rest)', async () => {
  const { readFile } = await import('node:fs/promises');
  const stored = await readFile(path.join(dataDir, 'sync', 'hq-join.json'), 'utf8');
  const body = bundleBody(bundleText);
  assert.ok(!stored.includes(String(body['password'])), 'the branch password is not stored in plain');
  await app.stop();
  app = await startAppliance(dataDir, { env: { BRANCHLINE_HTTPS: 'off' } });
  admin = new ApiClient(app.base);
  const { code, step } = await nextTotp(adminSecret, adminLastStep);
  adminLastStep = step;
  assert.equal((await admin.login('admin', ADMIN_PASSWORD, code)).status, 200);
  const made = await admin.request('POST', '/api/tickets', { subject: 'after restart', description: 'd' });
  assert.equal(made.status, 201);
  const creds = basic(String(body['username']), String(body['password']));
  await until(
    'the post-restart ticket reaches HQ',
    async () =>
      (
        await fetch(
          `${couchUrl}/b-${BRANCH}-tickets/${encodeURIComponent(`ticket:${made.json['id']}`)}`,
          creds,
        )
      ).status === 200 || undefined,
    { timeoutMs: 30_000 },
  );
  const status = await admin.request('GET', '/api/sync/status');
  assert.equal(status.json['link']['source'], 'joined');
  assert.equal(status.json['policyVersion'], 2, 'the policy HQ changed is still in force');
});
