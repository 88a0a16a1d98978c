import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';

const PHONE = '+8613912345678';
const EMAIL = 'wang.fang@example.cn';

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
