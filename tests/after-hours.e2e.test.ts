// Out of hours every channel still takes the customer's words (issue 10,
// finding 3). One calendar decides — routing's — and a holiday around today
// closes the branch: the widget in Chromium turns into a leave-a-message form
// whose submission is a ticket and an offline contact an agent can pick up; an
// email over real SMTP is stored, answered automatically through the relay,
// and routed to an available agent once the holiday is taken back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { type SmtpCapture, startSmtpCapture } from './support/smtp-capture.ts';
import { until } from './support/until.ts';

const ZONE = 'Asia/Shanghai';
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: ZONE });
const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];
const WEEK = {
  Mon: ALL_DAY,
  Tue: ALL_DAY,
  Wed: ALL_DAY,
  Thu: ALL_DAY,
  Fri: ALL_DAY,
  Sat: ALL_DAY,
  Sun: ALL_DAY,
};

let app: RunningAppliance;
let admin: ApiClient;
let agent: { client: ApiClient; userId: string };
let browser: Browser | undefined;
let smtpPort: number;
let relay: SmtpCapture;
let cleanup: () => Promise<void> = async () => undefined;

const holiday = (holidays: string[]) =>
  admin.request('PUT', '/api/routing/calendars/business-hours', {
    name: 'Business hours',
    timeZone: ZONE,
    weekly: WEEK,
    holidays,
  });

type Offer = { offerId: string; taskId: string };
const offersOf = async (c: ApiClient) =>
  ((await c.request('GET', '/api/routing/me/state')).json['offers'] ?? []) as Offer[];

before(async () => {
  relay = await startSmtpCapture();
  const relayPort = relay.port;
  smtpPort = await freePort();
  const tmp = await tempDataDir('bl-after-hours-');
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_SMTP_PORT: String(smtpPort),
      BRANCHLINE_SMTP_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
      BRANCHLINE_MAIL_FROM: 'service@branch.example',
      BRANCHLINE_TIMEZONE: ZONE,
    },
  });
  cleanup = async () => {
    await browser?.close();
    await app.stop();
    await tmp.cleanup();
    await relay.close();
  };
  ({ admin } = await bootstrapAdmin(app));
  const closed = await holiday([day(-1), day(0), day(1)]);
  assert.equal(closed.status, 204, JSON.stringify(closed.json));
  // Available all along: nothing that arrives while closed may be offered before opening.
  agent = await createSignedInUser(admin, 'late.shift', ['agent'], 'late shift password one');
  const set = await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' });
  assert.equal(set.status, 200, JSON.stringify(set.json));
});
after(() => cleanup());

test('closed by a holiday, the widget in Chromium shows the leave-a-message form; the message becomes a ticket and an offline contact an agent picks up and answers', async () => {
  browser = await launchChromium();
  const page: Page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  try {
    await page.goto(`${app.base}/widget/demo.html`);
    await page.getByTestId('bl-launcher').click();
    await page.getByTestId('bl-leave').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('bl-prechat').isVisible(), false);
    assert.equal(await page.getByTestId('bl-input').isVisible(), false);
    await page.getByTestId('bl-leave-name').fill('Qian Wei');
    await page.getByTestId('bl-leave-text').fill('My card was swallowed by the ATM on the holiday');
    await page.getByTestId('bl-leave-send').click();
    await page.getByTestId('bl-leave-error').waitFor();
    await page.getByTestId('bl-leave-email').fill('qian.wei@customer.example');
    await page.getByTestId('bl-leave-send').click();
    await page.getByTestId('bl-leave-done').waitFor({ timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: `${ARTIFACTS}/after-hours-widget-failure.png` }).catch(() => undefined);
    throw e;
  }
  type TicketRow = { id: string; tags: string[]; links: { contactIds: string[] } };
  const ticket = await until('the offline ticket, as the agent sees it', async () => {
    const r = await agent.client.request('GET', '/api/tickets');
    return (r.json['tickets'] as TicketRow[] | undefined)?.find((t) => t.tags.includes('offline'));
  });
  const contactId = ticket.links.contactIds[0] as string;
  const inbox = await agent.client.request('GET', '/api/contacts');
  assert.ok(
    (inbox.json['contacts'] as Array<{ id: string }>).some((c) => c.id === contactId),
    "the offline contact is in the agent's inbox",
  );
  const seen = await agent.client.request('GET', `/api/contacts/${contactId}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.json['contact'].state, 'queued');
  assert.equal(seen.json['contact'].attributes.offline, true);
  assert.ok(
    (seen.json['messages'] as Array<{ text: string }>).some((m) => m.text.includes('swallowed by the ATM')),
  );
  assert.deepEqual(await offersOf(agent.client), [], 'nothing is offered while the branch is closed');
  const pick = await agent.client.request('POST', `/api/contacts/${contactId}/transition`, { to: 'active' });
  assert.equal(pick.status, 200, JSON.stringify(pick.json));
  const reply = await agent.client.request('POST', `/api/contacts/${contactId}/reply`, {
    text: 'We have blocked the card; a new one is on its way.',
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.json));
});

test('an email sent over SMTP while closed is stored, answered by the configured zh-CN/en automatic reply through the relay, and offered to the agent when the branch opens', async () => {
  const reply = await admin.request('PUT', '/api/routing/closed-reply', {
    zh: '分行今日休息，营业后回复您。',
    en: 'The branch is closed today; we will answer when we open.',
  });
  assert.equal(reply.status, 204, JSON.stringify(reply.json));
  const before = relay.received.length;
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
    .sendMail({
      from: 'Sun Li <sun.li@customer.example>',
      to: 'service@branch.example',
      subject: 'Mortgage statement',
      text: 'Please send me last year’s mortgage statement.',
    });
  const raw = await until('the automatic reply at the relay', () =>
    relay.received.length > before ? relay.received.at(-1) : undefined,
  );
  const mail = await simpleParser(raw);
  assert.equal(
    mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '',
    'sun.li@customer.example',
  );
  assert.match(mail.subject ?? '', /Mortgage statement/);
  assert.match(mail.text ?? '', /The branch is closed today; we will answer when we open\./);
  assert.match(mail.text ?? '', /分行今日休息，营业后回复您。/);
  assert.deepEqual(await offersOf(agent.client), [], 'kept, not offered, while closed');
  const opened = await holiday([]);
  assert.equal(opened.status, 204);
  const [offer] = await until('the email offered once the branch opens', async () => {
    const o = await offersOf(agent.client);
    return o.length ? o : undefined;
  });
  const contact = await agent.client.request('POST', `/api/routing/offers/${offer?.offerId}/accept`);
  assert.equal(contact.status, 200);
  assert.equal(contact.json['task'].channel, 'email');
});
