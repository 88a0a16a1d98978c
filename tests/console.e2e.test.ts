// The console in real Chromium: first login with the one-time password, forced
// change, MFA enrolment, create an agent, the agent signs in elsewhere, the
// admin freezes them, and the agent's page is logged out.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { initialPassword, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { totpCode } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';

let app: RunningAppliance;
let browser: Browser;
let cleanup: () => Promise<void>;
const cspViolations: string[] = [];

before(async () => {
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`) });

test('admin enrols, creates an agent, and freezing the agent logs their page out', async () => {
  const adminPage = await newPage();
  await adminPage.goto(app.httpsBase);
  await adminPage.getByTestId('login-username').fill('admin');
  await adminPage.getByTestId('login-password').fill(initialPassword(app));
  await shot(adminPage, '01-login');
  await adminPage.getByTestId('login-submit').click();

  await adminPage.getByTestId('pw-current').fill(initialPassword(app));
  await adminPage.getByTestId('pw-new').fill('admin new password 2026');
  await adminPage.getByTestId('pw-confirm').fill('admin new password 2026');
  await shot(adminPage, '02-forced-password-change');
  await adminPage.getByTestId('pw-submit').click();

  const secret = (await adminPage.getByTestId('mfa-secret').textContent())?.trim() ?? '';
  assert.match(secret, /^[A-Z2-7]{16,}$/, 'a base32 TOTP secret is shown');
  await adminPage.getByTestId('mfa-code').fill(totpCode(secret));
  await shot(adminPage, '03-mfa-enrolment');
  await adminPage.getByTestId('mfa-submit').click();

  await adminPage.getByTestId('nav-users').click();
  await adminPage.getByTestId('user-create-username').fill('agent.li');
  await adminPage.getByTestId('user-create-displayname').fill('Li Na');
  await adminPage.getByTestId('user-create-role-agent').check();
  await adminPage.getByTestId('user-create-submit').click();
  const otp = (await adminPage.getByTestId('user-otp').textContent())?.trim() ?? '';
  assert.ok(otp.length >= 12, 'a one-time password is shown once');
  await shot(adminPage, '04-agent-created');

  const agentPage = await newPage();
  await agentPage.goto(app.httpsBase);
  await agentPage.getByTestId('login-username').fill('agent.li');
  await agentPage.getByTestId('login-password').fill(otp);
  await agentPage.getByTestId('login-submit').click();
  await agentPage.getByTestId('pw-current').fill(otp);
  await agentPage.getByTestId('pw-new').fill('agent li password 2026');
  await agentPage.getByTestId('pw-confirm').fill('agent li password 2026');
  await agentPage.getByTestId('pw-submit').click();
  await agentPage.getByTestId('logout').waitFor();
  await shot(agentPage, '05-agent-signed-in');

  await adminPage.getByTestId('user-freeze-agent.li').click();
  await adminPage.getByTestId('user-unfreeze-agent.li').waitFor();
  const t0 = Date.now();
  const banner = agentPage.getByTestId('session-ended-banner');
  await banner.waitFor({ timeout: 5000 });
  const elapsed = Date.now() - t0;
  await shot(agentPage, '06-agent-frozen-out');
  await shot(adminPage, '07-admin-after-freeze');
  assert.ok(elapsed < 2000, `agent page logged out ${elapsed} ms after the freeze showed`);
  await agentPage.getByTestId('login-username').waitFor();
  assert.deepEqual(cspViolations, [], 'no CSP violations');
});

test('the console switches to zh-CN', async () => {
  const page = await newPage();
  await page.goto(app.httpsBase);
  await page
    .getByTestId('lang-switch')
    .selectOption('zh-CN')
    .catch(() => page.getByTestId('lang-switch').click());
  const text = await page.locator('body').innerText();
  assert.match(text, /[\u4e00-\u9fff]/, 'Chinese labels are shown');
  await shot(page, '08-zh-CN-login');
});
