// The console's single sign-on in Chromium: the "Sign in with SSO" button (使用单点登录
// in zh-CN) leads through a real oidc-provider's login page back to a signed-in
// console; a user in no mapped group sees the translated refusal; signing out
// sends the browser to the identity provider's end-session page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { launchChromium } from './support/browser.ts';
import { startIdp, type TestIdp } from './support/oidc-idp.ts';

let idp: TestIdp;
let app: RunningAppliance;
let browser: Browser;
let cleanup: () => Promise<void>;

before(async () => {
  idp = await startIdp({
    ann: { name: 'Ann Agent', groups: ['cc-agents'] },
    bob: { name: 'Bob Outsider', groups: ['staff'] },
  });
  const data = await tempDataDir();
  cleanup = data.cleanup;
  app = await startAppliance(data.dir, {
    env: {
      BRANCHLINE_OIDC_ISSUER: idp.issuer,
      BRANCHLINE_OIDC_CLIENT_ID: idp.clientId,
      BRANCHLINE_OIDC_CLIENT_SECRET: idp.clientSecret,
      BRANCHLINE_OIDC_SCOPES: 'openid profile groups',
      BRANCHLINE_OIDC_ROLE_MAP: JSON.stringify({ 'cc-agents': 'agent' }),
      BRANCHLINE_OIDC_CA: idp.caPath,
    },
  });
  idp.registerClient(app.base);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await idp?.close();
  await cleanup?.();
});

/** A page on the console's sign-in screen; the IdP's certificate is from the test's private CA. */
async function loginPage(locale = 'en-US') {
  const ctx = await browser.newContext({ locale, ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  await page.goto(`${app.base}/`);
  return page;
}

test('the SSO button signs an IdP user in to the console, and signing out ends the session at the IdP too', async () => {
  const page = await loginPage();
  const button = page.locator('[data-testid="login-sso"]');
  assert.equal((await button.textContent())?.trim(), 'Sign in with SSO');
  await button.click();
  await page.waitForURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.fill('input[name="login"]', 'ann');
  await page.click('button');
  await page.waitForURL(`${app.base}/`);
  await page.locator('[data-testid="logout"]').waitFor();
  assert.match((await page.locator('header .who').textContent()) ?? '', /Ann Agent/);

  await page.click('[data-testid="logout"]');
  await page.waitForURL(new RegExp(`^${idp.issuer}/session/end`));
  const r = await fetch(`${app.base}/api/auth/session`, {
    headers: {
      cookie: (await page.context().cookies(app.base)).map((c) => `${c.name}=${c.value}`).join('; '),
    },
  });
  assert.deepEqual(await r.json(), { signedIn: false });
  await page.context().close();
});

test('a user in no mapped group lands on the sign-in page with the translated refusal, in zh-CN too', async () => {
  const page = await loginPage('zh-CN');
  const button = page.locator('[data-testid="login-sso"]');
  assert.equal((await button.textContent())?.trim(), '使用单点登录');
  await button.click();
  await page.waitForURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.fill('input[name="login"]', 'bob');
  await page.click('button');
  const error = page.locator('[data-testid="login-sso-error"]');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-code'), 'IDENTITY_SSO_NO_ROLE');
  assert.match((await error.textContent()) ?? '', /不属于任何有权访问本设备的组/);
  assert.equal(new URL(page.url()).search, '', 'the code is taken out of the address bar');
  await page.context().close();
});
