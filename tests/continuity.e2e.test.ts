import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { aesKeyFrom, wechatEncrypt, wechatSignature } from '../appliance/src/channels/wechat/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until as pollUntil } from './support/until.ts';

const PHONE = '+8613912345678';
const EMAIL = 'wang.fang@example.cn';
const WECOM_EXTERNAL = 'wmExtWangFang01';
/** The WeCom corp as the admin configures it; the test plays Tencent and signs with the same secrets. */
const WECOM = {
  receiverId: 'wwcontinuity01',
  secret: 'wecom-secret-continuity',
  token: 'wctoken7',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

/** Delivers one WeCom text callback, encrypted and signed as the platform does (msg_signature over Encrypt). */
async function wecomCallback(base: string, from: string, msgId: string, text: string): Promise<Response> {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = `n${msgId}`;
  const inner = `<xml><ToUserName><![CDATA[${WECOM.receiverId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`;
  const enc = wechatEncrypt(aesKeyFrom(WECOM.encodingAesKey), inner, WECOM.receiverId);
  const q = new URLSearchParams({
    timestamp: ts,
    nonce,
    msg_signature: wechatSignature([WECOM.token, ts, nonce, enc]),
  });
  return fetch(`${base}/api/channels/wecom/callback?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${WECOM.receiverId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  });
}

const until = <T>(what: string, get: () => Promise<T | undefined>) =>
  pollUntil(what, get, { timeoutMs: 20_000, everyMs: 100 });

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let smtpPort: number;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-continuity-');
  cleanup = tmp.cleanup;
  smtpPort = await freePort();
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_SMTP_PORT: String(smtpPort) } });
  admin = (await bootstrapAdmin(app)).admin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

test('a customer who chats in the widget in Chromium and later mails over SMTP appears as one customer with one cross-channel timeline', async () => {
  const page = await browser.newPage();
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  try {
    await page.goto(`${app.base}/widget/demo.html`);
    await page.getByTestId('bl-launcher').click();
    await page.getByTestId('bl-prechat-name').fill('Wang Fang');
    await page.getByTestId('bl-prechat-phone').fill(PHONE);
    await page.getByTestId('bl-prechat-email').fill(EMAIL);
    await page.getByTestId('bl-prechat-start').click();
    await page.getByTestId('bl-input').fill('Hello, I lost my bank card');
    await page.getByTestId('bl-send').click();
    await page.getByTestId('bl-msg-me').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('bl-msg-me').first().textContent(), 'Hello, I lost my bank card');
  } catch (err) {
    await page.screenshot({ path: `${ARTIFACTS}/continuity-widget.png` });
    throw err;
  }
  assert.deepEqual(cspErrors, []);

  // The pre-chat phone number identifies the customer (caller-ID lookup through the blind index).
  const customer = await until('the customer behind the pre-chat phone', async () => {
    const r = await admin.request('GET', `/api/customers?phone=${encodeURIComponent(PHONE)}`);
    return (r.json['customers'] as Array<{ id: string }> | undefined)?.[0];
  });
  // The agent confirms the email on the call: a verified email links later mail to this customer.
  const verify = await admin.request('POST', `/api/customers/${customer.id}/handles`, {
    kind: 'email',
    value: EMAIL,
    verified: true,
  });
  assert.equal(verify.status, 204);

  const mail = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  await mail.sendMail({
    from: `Wang Fang <${EMAIL}>`,
    to: 'service@branch.example',
    subject: 'Card replacement',
    text: 'Following up by email about my card',
    messageId: '<continuity-1@example.cn>',
  });
  mail.close();

  const c360 = await until('both channels in the 360', async () => {
    const r = await admin.request('GET', `/api/customers/${customer.id}/360`);
    const channels = new Set(
      (r.json['timeline'] as Array<{ channel: string }> | undefined)?.map((m) => m.channel),
    );
    return channels.has('webchat') && channels.has('email') ? r.json : undefined;
  });
  const timeline = c360['timeline'] as Array<{ channel: string; text: string; at: string }>;
  assert.deepEqual(
    timeline.map((m) => [m.channel, m.text.trim()]),
    [
      ['webchat', 'Hello, I lost my bank card'],
      ['email', 'Following up by email about my card'],
    ],
  );
  assert.equal((c360['profile'] as { name: string }).name, 'Wang Fang');
  assert.deepEqual(c360['tickets'], (c360['sections'] as Record<string, unknown[]>)['tickets'] ?? []);
  const contacts = c360['contacts'] as Array<{ channel: string; state: string }>;
  assert.deepEqual(contacts.map((c) => c.channel).sort(), ['email', 'webchat']);
});

test('a WeCom message from the customer’s linked external contact joins the same customer, and the agent’s 360 shows webchat, email and WeCom in one timeline', async () => {
  const customer = await until('the customer from the first test', async () => {
    const r = await admin.request('GET', `/api/customers?phone=${encodeURIComponent(PHONE)}`);
    return (r.json['customers'] as Array<{ id: string }> | undefined)?.[0];
  });
  const cfg = await admin.request('PUT', '/api/channels/wecom/config', WECOM);
  assert.equal(cfg.status, 200, JSON.stringify(cfg.json));
  // The branch adds the customer as a WeCom external contact and records the link.
  const link = await admin.request('POST', `/api/customers/${customer.id}/handles`, {
    kind: 'wecom_external',
    value: WECOM_EXTERNAL,
  });
  assert.equal(link.status, 204, JSON.stringify(link.json));

  // WeCom stamps messages in whole seconds (CreateTime): send after the next second starts so
  // "later" on the platform's clock is later than the email stored a moment ago.
  await new Promise((r) => setTimeout(r, 1020 - (Date.now() % 1000)));
  const first = await wecomCallback(app.base, WECOM_EXTERNAL, '7000000001', '企业微信：新卡什么时候寄到？');
  assert.equal(first.status, 200);
  // The platform retries when it is unsure; the retry must not add a second message.
  const retry = await wecomCallback(app.base, WECOM_EXTERNAL, '7000000001', '企业微信：新卡什么时候寄到？');
  assert.equal(retry.status, 200);

  const agent = await createSignedInUser(admin, 'continuity.agent', ['agent'], 'continuity agent password 1');
  const c360 = await until('WeCom in the agent’s 360', async () => {
    const r = await agent.client.request('GET', `/api/customers/${customer.id}/360`);
    const timeline = r.json['timeline'] as Array<{ channel: string }> | undefined;
    return timeline?.some((m) => m.channel === 'wecom') ? r.json : undefined;
  });
  const timeline = c360['timeline'] as Array<{ channel: string; text: string; at: string }>;
  assert.deepEqual(
    timeline.map((m) => [m.channel, m.text.trim()]),
    [
      ['webchat', 'Hello, I lost my bank card'],
      ['email', 'Following up by email about my card'],
      ['wecom', '企业微信：新卡什么时候寄到？'],
    ],
  );
  const times = timeline.map((m) => Date.parse(m.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'one time-ordered timeline',
  );
  const contacts = c360['contacts'] as Array<{ channel: string }>;
  assert.deepEqual(contacts.map((c) => c.channel).sort(), ['email', 'wecom', 'webchat'].sort());
  // The agent's view is masked by role: the phone number is not shown in full.
  assert.notEqual((c360['profile'] as { phone?: string }).phone, PHONE);
});
