// The inbox's email composer in real Chromium: mail arrives over real SMTP,
// the agent accepts the offer, sees the subject and the message it threads
// under, and the reply leaves through the relay with the threading headers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { chatAgent, openDesk } from './inbox-helpers.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let relay: SMTPServer;
let smtpPort: number;
let cleanup: () => Promise<void>;
const relayed: string[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-inbox-email-');
  cleanup = tmp.cleanup;
  relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        relayed.push(Buffer.concat(parts).toString('utf8'));
        cb();
      });
    },
  });
  const relayPort = await freePort();
  await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
  smtpPort = await freePort();
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_SMTP_PORT: String(smtpPort),
      BRANCHLINE_SMTP_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
    },
  });
  admin = (await bootstrapAdmin(app)).admin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
  await cleanup?.();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `inbox-email-${name}.png`) });

test('an emailed customer is offered, the composer shows the Re: subject and parent Message-ID, and the reply is relayed threaded', async () => {
  const password = 'inbox email agent password 1';
  await chatAgent(admin, 'mail.agent', password);
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const desk = await ctx.newPage();
  try {
    await openDesk(desk, app.httpsBase, 'mail.agent', password);
    const mail = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await mail.sendMail({
      from: 'Chen Jing <chen.jing@example.cn>',
      to: 'service@branch.example',
      subject: 'Card replacement',
      text: 'Where is my replacement card?',
      messageId: '<inbox-mail-1@example.cn>',
    });
    mail.close();

    await desk.getByTestId('offer-pop').waitFor({ timeout: 15_000 });
    await desk.getByTestId('offer-accept').click();
    await desk.locator('[data-testid="composer"][data-channel="email"]').waitFor();
    assert.equal(
      await desk.getByTestId('composer-email-subject').textContent(),
      'Subject: Re: Card replacement',
    );
    assert.match(
      (await desk.getByTestId('composer-email-thread').textContent()) ?? '',
      /inbox-mail-1@example\.cn/,
    );
    await desk.getByTestId('composer-text').fill('Your card was posted today.');
    await desk.getByTestId('composer-send').click();
    await desk.locator('[data-testid="conv-message"][data-direction="out"][data-delivery="sent"]').waitFor();
    await shot(desk, '01-replied');

    const deadline = Date.now() + 10_000;
    while (relayed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const out = relayed[0] ?? '';
    assert.match(out, /^Subject: Re: Card replacement/m);
    assert.match(out, /^In-Reply-To: <inbox-mail-1@example\.cn>/m);
    assert.match(out, /^To: .*chen\.jing@example\.cn/m);
    assert.match(out, /Your card was posted today\./);
  } catch (err) {
    await shot(desk, 'failure').catch(() => undefined);
    throw err;
  }
});
