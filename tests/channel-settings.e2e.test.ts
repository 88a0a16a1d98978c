// Issue 12: channel settings outside the wizard, the test-mail button and the admin home,
// in Chromium (zh-CN) against a fresh appliance. The admin's steps are clicks and typing
// only (no API call, no JSON); the API is used to sign in first and to check afterwards
// that no secret comes back. Screenshots in test-artifacts/channel-settings-*.png.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { type SmtpCapture, startSmtpCapture } from './support/smtp-capture.ts';
import { until } from './support/until.ts';

const STEPS = ['branch', 'hours', 'queue', 'agents', 'voice', 'webchat', 'email', 'wechat', 'hq'];
const WECHAT = {
  appId: 'wx5f3a9c0d1e2b4a67',
  secret: 'oa-app-secret-7Hq2Lw9Zx',
  token: 'BranchTok2026',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let relay: SmtpCapture;
let site: Server;
let sitePort: number;
let snippet = '';
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  const tmp = await tempDataDir('bl-channel-settings-');
  cleanups.push(tmp.cleanup);
  app = await startAppliance(tmp.dir);
  ({ admin } = await bootstrapAdmin(app));
  // The wizard is another test's subject: here it is left as done, so home shows the admin content.
  for (const step of STEPS) {
    const r = await admin.request('PUT', `/api/setup/steps/${step}`, { state: 'skipped' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  relay = await startSmtpCapture();
  browser = await launchChromium();
  sitePort = await freePort();
  // The bank's own site, on another port: whatever tag the Channels page gave.
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例银行</title></head>
<body><h1>示例银行</h1>${snippet}</body></html>`);
  });
  await new Promise<void>((r) => site.listen(sitePort, '127.0.0.1', r));
});
after(async () => {
  await browser?.close();
  site?.close();
  await relay?.close();
  await app?.stop();
  for (const c of cleanups) await c();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `channel-settings-${name}.png`), fullPage: true });

async function adminPage(): Promise<Page> {
  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  return ctx.newPage();
}

test('web chat settings: a changed greeting shows in a widget embedded earlier on another port', {
  timeout: 90_000,
}, async () => {
  const page = await adminPage();
  await page.goto(`${app.httpsBase}/channels`);
  await page.getByTestId('channels-tab-webchat').click();
  await page.getByTestId('channels-webchat-origins').fill(`http://127.0.0.1:${sitePort}`);
  await page.getByTestId('channels-webchat-greeting').fill('您好，欢迎咨询示例银行');
  await page.getByTestId('channels-webchat-privacy').fill('我们仅为答复您的咨询而保存聊天记录。');
  await page.getByTestId('channels-webchat-save').click();
  await page.getByTestId('channels-webchat-saved').waitFor();
  snippet = ((await page.getByTestId('channels-webchat-snippet').textContent()) ?? '').trim();
  assert.match(snippet, /^<script src="https:\/\/127\.0\.0\.1:\d+\/widget\/widget\.js" .*><\/script>$/);

  // The snippet is pasted once; the greeting is changed later, without touching the site.
  await page.getByTestId('channels-webchat-greeting').fill('新年好！网点营业时间已延长至晚八点');
  await page.getByTestId('channels-webchat-save').click();
  await page.getByTestId('channels-webchat-saved').waitFor();
  await shot(page, '01-webchat');

  const visitor = await (await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN' })).newPage();
  await visitor.goto(`http://127.0.0.1:${sitePort}/`);
  await visitor.getByTestId('bl-launcher').click();
  await until('the widget shows the new greeting', async () =>
    ((await visitor.getByTestId('bl-greeting').textContent()) ?? '') === '新年好！网点营业时间已延长至晚八点'
      ? true
      : undefined,
  );
  assert.equal(await visitor.getByTestId('bl-privacy').textContent(), '我们仅为答复您的咨询而保存聊天记录。');
  await shot(visitor, '02-widget');
  await visitor.context().close();
  await page.context().close();
});

test('email settings: the test mail reaches the relay and says so; with the relay port closed the refusal is translated', {
  timeout: 90_000,
}, async () => {
  const page = await adminPage();
  await page.goto(`${app.httpsBase}/channels`);
  await page.getByTestId('channels-tab-email').click();
  await page.getByTestId('channels-email-receive').waitFor();
  await page.getByTestId('channels-email-relay-host').fill('127.0.0.1');
  await page.getByTestId('channels-email-relay-port').fill(String(relay.port));
  await page.getByTestId('channels-email-relay-security').selectOption('none');
  await page.getByTestId('channels-email-from').fill('kefu@branch.example');
  await page.getByTestId('channels-email-relay-save').click();
  await page.getByTestId('channels-email-relay-saved').waitFor();

  await page.getByTestId('channels-email-test-to').fill('it-admin@bank.example');
  await page.getByTestId('channels-email-test-send').click();
  const raw = await until('the test mail at the relay', () => relay.received.at(-1));
  assert.deepEqual(relay.recipients.at(-1), ['it-admin@bank.example']);
  assert.match(raw.toString('utf8'), /^From: kefu@branch\.example/m);
  const ok = page.getByTestId('channels-email-test-ok');
  await ok.waitFor();
  assert.match((await ok.textContent()) ?? '', /^发信服务器已接收测试邮件：250/);
  await shot(page, '03-test-mail-ok');

  // A port nothing listens on: the page names the refusal in Chinese, not the raw error.
  const closed = await freePort();
  await page.getByTestId('channels-email-relay-port').fill(String(closed));
  await page.getByTestId('channels-email-relay-save').click();
  await page.getByTestId('channels-email-relay-saved').waitFor();
  await page.getByTestId('channels-email-test-send').click();
  const err = page.getByTestId('channels-email-test-error');
  await err.waitFor();
  assert.equal(await err.getAttribute('data-code'), 'EMAIL_TEST_CONNECTION_REFUSED');
  assert.equal(await err.textContent(), '发信服务器拒绝连接：该主机和端口上没有服务在监听。');
  assert.equal(await ok.count(), 0, 'the earlier success is gone');
  await shot(page, '04-test-mail-refused');
  await page.context().close();
});

test('WeChat settings: after saving, the callback URL is shown and no secret comes back to the page or the API', {
  timeout: 90_000,
}, async () => {
  const page = await adminPage();
  await page.goto(`${app.httpsBase}/channels`);
  await page.getByTestId('channels-tab-wechat').click();
  await page.getByTestId('channels-wechat-receiver').fill(WECHAT.appId);
  await page.getByTestId('channels-wechat-secret').fill(WECHAT.secret);
  await page.getByTestId('channels-wechat-token').fill(WECHAT.token);
  await page.getByTestId('channels-wechat-aeskey').fill(WECHAT.aesKey);
  await page.getByTestId('channels-wechat-save').click();
  await page.getByTestId('channels-wechat-saved').waitFor();
  assert.equal(
    await page.getByTestId('channels-wechat-callback').textContent(),
    `${app.httpsBase}/api/channels/wechat/callback`,
  );
  await shot(page, '05-wechat');

  // Reopened: the app id is back, the secret fields are empty and the page holds no secret.
  await page.reload();
  await page.getByTestId('channels-tab-wechat').click();
  await until('the stored app id', async () =>
    (await page.getByTestId('channels-wechat-receiver').inputValue()) === WECHAT.appId ? true : undefined,
  );
  for (const f of ['secret', 'token', 'aeskey'])
    assert.equal(await page.getByTestId(`channels-wechat-${f}`).inputValue(), '');
  const html = await page.content();
  const api = JSON.stringify((await admin.request('GET', '/api/channels/wechat/config')).json);
  for (const secret of [WECHAT.secret, WECHAT.token, WECHAT.aesKey]) {
    assert.ok(!html.includes(secret), 'no secret in the page');
    assert.ok(!api.includes(secret), 'no secret from the API');
    assert.ok(!api.includes(secret.slice(-4)), 'not even the end of a secret from the API');
  }
  await page.context().close();
});

test('admin home: "back up now" lists a backup and the CA fingerprint is the one /ca.json reports', {
  timeout: 120_000,
}, async () => {
  const page = await adminPage();
  await page.goto(app.httpsBase);
  await page.getByTestId('home-admin').waitFor();
  await page.getByTestId('home-backup-none').waitFor();
  await page.getByTestId('home-backup-now').click();
  await page.getByTestId('home-backup-done').waitFor({ timeout: 60_000 });
  await page.getByTestId('home-backup-last').waitFor();
  assert.equal(await page.getByTestId('home-backup').count(), 1);
  assert.match(
    (await page.getByTestId('home-backup').textContent()) ?? '',
    /^branchline-\d{8}T\d{6}Z\.blbak/,
  );

  const ca = (await (await fetch(`${app.base}/ca.json`)).json()) as { fingerprintSha256: string };
  assert.match(ca.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(await page.getByTestId('home-ca-fingerprint').textContent(), ca.fingerprintSha256);
  assert.match((await page.getByTestId('home-server-names').textContent()) ?? '', /127\.0\.0\.1/);
  await shot(page, '06-home');

  await page.context().close();
});

test('email settings: the IMAP account is saved from its form, shown again after a reload with the password kept but never shown', {
  timeout: 90_000,
}, async () => {
  const page = await adminPage();
  const secret = 'imap-secret-Q7w2Zp';
  const closed = await freePort();
  await page.goto(`${app.httpsBase}/channels`);
  await page.getByTestId('channels-tab-email').click();
  const form = page.getByTestId('channels-email-imap');
  await form.waitFor();
  await page.getByTestId('channels-email-imap-host').fill('127.0.0.1');
  await page.getByTestId('channels-email-imap-port').fill(String(closed));
  await page.getByTestId('channels-email-imap-security').selectOption('starttls');
  await page.getByTestId('channels-email-imap-user').fill('kefu');
  await page.getByTestId('channels-email-imap-mailbox').fill('Support');
  await page.getByTestId('channels-email-imap-password').fill(secret);
  await page.getByTestId('channels-email-imap-save').click();
  await form.getByText('已保存。', { exact: true }).waitFor();
  assert.equal(
    await page.getByTestId('channels-email-imap-password').inputValue(),
    '',
    'the typed password is cleared',
  );

  const r = await admin.request('GET', '/api/channels/email/settings');
  assert.equal(r.status, 200);
  assert.deepEqual((r.json as { imap: unknown }).imap, {
    host: '127.0.0.1',
    port: closed,
    security: 'starttls',
    user: 'kefu',
    mailbox: 'Support',
    passwordSet: true,
  });
  assert.ok(!JSON.stringify(r.json).includes(secret), 'no password from the API');

  await page.reload();
  await page.getByTestId('channels-tab-email').click();
  await form.waitFor();
  assert.equal(await page.getByTestId('channels-email-imap-host').inputValue(), '127.0.0.1');
  assert.equal(await page.getByTestId('channels-email-imap-port').inputValue(), String(closed));
  assert.equal(await page.getByTestId('channels-email-imap-security').inputValue(), 'starttls');
  assert.equal(await page.getByTestId('channels-email-imap-mailbox').inputValue(), 'Support');
  assert.equal(await page.getByTestId('channels-email-imap-password').inputValue(), '');
  assert.ok(!(await page.content()).includes(secret), 'no password in the page');
  await shot(page, '07-imap');

  // Leave no poller behind for the other tests: an empty host removes the account.
  await page.getByTestId('channels-email-imap-host').fill('');
  await page.getByTestId('channels-email-imap-save').click();
  await until('the IMAP account removed', async () => {
    const v = await admin.request('GET', '/api/channels/email/settings');
    return (v.json as { imap?: unknown }).imap === undefined ? true : undefined;
  });
  await page.context().close();
});
