// `npm run hq` in a real process, driven in Chromium: the first operator
// replaces the one-time password, sets up TOTP from the secret the page shows,
// signs out and back in with password + code (a wrong code is refused), adds
// a second operator from the page, and reads the hash-chained operator log.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'otpauth';
import { launchChromium } from './support/browser.ts';
import { type HqProcess, spawnHq, TotpStepper } from './support/hq-process.ts';
import { until } from './support/until.ts';

let hq: HqProcess;
let hqDir: string;
let consoleUrl: string;
let firstRunPassword: string;
const PASSPHRASE = 'hq admin passphrase 1';

before(async () => {
  hq = await spawnHq('bl-hq-mfa-');
  ({ dir: hqDir, consoleUrl, oneTimePassword: firstRunPassword } = hq);
});

after(async () => {
  await hq?.stop();
});

test('an HQ operator sets up TOTP in Chromium after the one-time password, then needs password + code; another operator is added from the page and the chained log shows it all', async () => {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${consoleUrl}/login`);
    await page.getByTestId('hq-username').fill('admin');
    await page.getByTestId('hq-password').fill(firstRunPassword);
    await page.getByTestId('hq-sign-in').click();
    const change = page.getByTestId('hq-change-password');
    await change.waitFor({ timeout: 15_000 });
    await change.locator('input[name="current"]').fill(firstRunPassword);
    await change.locator('input[name="next"]').fill(PASSPHRASE);
    await page.getByTestId('hq-change').click();

    // The console sends an operator without MFA to set it up first.
    await page.getByTestId('hq-mfa-secret').waitFor({ timeout: 15_000 });
    assert.match(new URL(page.url()).pathname, /^\/mfa$/);
    assert.equal(await page.getByTestId('hq-mfa-qr').locator('svg').count(), 1, 'a QR code is shown');
    const secret = (await page.getByTestId('hq-mfa-secret').textContent()) ?? '';
    const uri = (await page.getByTestId('hq-mfa-uri').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const totp = URI.parse(uri);
    assert.equal(totp.secret.base32, secret, 'the URI carries the shown key');
    assert.match(uri, /^otpauth:\/\/totp\/Branchline%20HQ:admin\?/);
    // Until confirmed, the key is not in force: the rest of the console stays shut.
    assert.equal((await page.request.get(`${consoleUrl}/api/branches`)).status(), 403);
    await page.getByTestId('hq-mfa-code').fill(totp.generate() === '000000' ? '111111' : '000000');
    await page.getByTestId('hq-mfa-submit').click();
    await until(
      'the wrong enrolment code is refused',
      async () =>
        /HQ_MFA_INVALID/.test((await page.getByTestId('hq-mfa-error').textContent()) ?? '') || undefined,
    );
    const enrolledAt = Date.now();
    await page.getByTestId('hq-mfa-code').fill(totp.generate({ timestamp: enrolledAt }));
    await page.getByTestId('hq-mfa-submit').click();
    await page.getByTestId('hq-operators').waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('hq-operator-admin').textContent()) ?? '', /enabled/);

    await page.getByTestId('hq-sign-out').getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('hq-username').waitFor({ timeout: 15_000 });
    assert.equal((await page.request.get(`${consoleUrl}/api/branches`)).status(), 401);

    // Password alone, and password with a wrong code, are refused.
    await page.getByTestId('hq-username').fill('admin');
    await page.getByTestId('hq-password').fill(PASSPHRASE);
    await page.getByTestId('hq-sign-in').click();
    await until(
      'the missing code is asked for',
      async () =>
        /HQ_MFA_REQUIRED/.test((await page.getByTestId('hq-login-error').textContent()) ?? '') || undefined,
    );
    const current = totp.generate();
    await page.getByTestId('hq-totp').fill(current === '123456' ? '654321' : '123456');
    await page.getByTestId('hq-sign-in').click();
    await until(
      'the wrong code is refused',
      async () =>
        /HQ_MFA_INVALID/.test((await page.getByTestId('hq-login-error').textContent()) ?? '') || undefined,
    );
    assert.equal(new URL(page.url()).pathname, '/login');
    // A code works once: the enrolment code's 30 s step is spent, so wait for the next one.
    const codes = new TotpStepper(totp);
    codes.lastAt = enrolledAt;
    await page.getByTestId('hq-totp').fill(await codes.next());
    await page.getByTestId('hq-sign-in').click();
    await page.getByTestId('hq-operators').waitFor({ timeout: 15_000 });

    // The admin adds an operator; HQ makes the one-time password and shows it once.
    await page.getByTestId('hq-new-operator').fill('analyst');
    await page.getByRole('button', { name: 'Add operator' }).click();
    const shown = await until('the one-time password is shown', async () => {
      const t = (await page.getByTestId('hq-add-operator-result').textContent()) ?? '';
      return /One-time password \(shown once\): (\S+)/.exec(t)?.[1];
    });
    const signIn = await fetch(`${consoleUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analyst', password: shown }),
    });
    assert.equal(signIn.status, 200, 'the shown password signs the new operator in');
    assert.equal(((await signIn.json()) as { mustChangePassword: boolean }).mustChangePassword, true);
    await page.reload();
    const row = (await page.getByTestId('hq-operator-analyst').textContent()) ?? '';
    assert.match(row, /one-time password not yet changed/);
    assert.match(row, /not set up/);

    // The operator log, newest first, with names and readable actions, and its chain verified.
    await page.getByTestId('hq-log-link').click();
    const status = page.getByTestId('hq-log-status');
    await status.waitFor({ timeout: 15_000 });
    assert.match((await status.textContent()) ?? '', /Chain verified/);
    const actions = await page
      .locator('[data-testid="hq-log"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    const firstOf = (a: string) => actions.indexOf(a);
    for (const a of [
      'operator.password_changed',
      'operator.mfa_enrolled',
      'operator.signed_out',
      'operator.mfa_failed',
      'operator.created',
    ])
      assert.ok(firstOf(a) >= 0, `${a} is in the log`);
    assert.ok(firstOf('operator.created') < firstOf('operator.mfa_enrolled'), 'newest first');
    assert.ok(firstOf('operator.mfa_enrolled') < firstOf('operator.password_changed'));
    const created = page.locator('[data-testid="hq-log"] tr[data-action="operator.created"]');
    assert.match((await created.textContent()) ?? '', /admin.*Added operator.*username: analyst/);

    // Editing one stored entry shows where the chain breaks.
    const file = path.join(hqDir, 'operator-log.jsonl');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    lines[1] = (lines[1] ?? '').replace('"actor":"admin"', '"actor":"mallory"');
    await writeFile(file, `${lines.join('\n')}\n`);
    await page.reload();
    assert.match((await status.textContent()) ?? '', /Chain broken at entry 2/);
  } finally {
    await browser.close();
  }
});
