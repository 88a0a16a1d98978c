// A freshly installed appliance routes with no set-up (issue 10, finding 4):
// the default queue and workflow are seeded once, an agent who makes
// themselves available is offered a web chat from a real WebSocket client, and
// a contact no workflow can route is not parked — it waits in 'general',
// raises an alarm and shows on the wallboard as unroutable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, type WidgetMessage, WidgetSession } from '../web/src/widget/protocol.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let admin: ApiClient;
let auditor: ApiClient;
let browser: Browser | undefined;
let cleanup: () => Promise<void> = async () => undefined;
const sessions: WidgetSession[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-fresh-');
  app = await startAppliance(tmp.dir);
  cleanup = async () => {
    for (const s of sessions) s.close();
    await browser?.close();
    await app.stop();
    await tmp.cleanup();
  };
  ({ admin } = await bootstrapAdmin(app));
  const role = await admin.request('POST', '/api/roles', {
    id: 'fresh-trail-reader',
    description: 'reads the audit trail',
    permissions: ['audit.read'],
  });
  assert.equal(role.status, 201);
  auditor = (await createSignedInUser(admin, 'fresh.trail', ['fresh-trail-reader'], 'fresh trail password 1'))
    .client;
});
after(() => cleanup());

function visitor(received: WidgetMessage[]): WidgetSession {
  const s = new WidgetSession({
    url: `${app.base.replace('http', 'ws')}/widget/ws`,
    token: randomId(24),
    connect: (url) => new WebSocket(url) as unknown as SocketLike,
    onMessage: (m) => void received.push(m),
    backoff: () => 10,
  });
  sessions.push(s);
  s.start();
  return s;
}

type Offer = { offerId: string; taskId: string };
const offersOf = async (c: ApiClient) =>
  ((await c.request('GET', '/api/routing/me/state')).json['offers'] ?? []) as Offer[];

test('a fresh appliance seeds one calendar, the general queue and a default workflow, once and as the system', async () => {
  const cfg = (await admin.request('GET', '/api/routing/config')).json;
  assert.deepEqual(
    (cfg['queues'] as Array<{ id: string }>).map((q) => q.id),
    ['general'],
  );
  const wf = (cfg['workflows'] as Array<Record<string, unknown>>).find((w) => w['id'] === 'default');
  assert.deepEqual(wf?.['defaultTarget'], { queue: 'general' });
  assert.equal(wf?.['whenClosed'], 'offline');
  assert.equal(wf?.['calendarId'], 'business-hours');
  const audit = await auditor.request('GET', '/api/audit?action=routing.config_changed&limit=50');
  const seeded = (audit.json['records'] as Array<{ actor: string; details: Record<string, unknown> }>).filter(
    (r) => r.actor === 'system',
  );
  assert.deepEqual(seeded.map((r) => r.details['kind']).sort(), ['calendar', 'queue', 'workflow']);
  const flow = await admin.request('GET', '/api/flows/inbound');
  assert.equal(flow.status, 200, 'the IVR has a default inbound flow');
});

test('with no configuration step, a web chat from a WebSocket client is offered to the agent who made themselves available, and the agent replies', async () => {
  const agent = await createSignedInUser(admin, 'fresh.agent', ['agent'], 'fresh agent password one');
  const set = await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' });
  assert.equal(set.status, 200, JSON.stringify(set.json));
  const received: WidgetMessage[] = [];
  const s = visitor(received);
  await until('widget connected', () => (s.connected ? true : undefined));
  s.send('Hello, is anyone there?');
  const [offer] = await until('an offer on the agent desk', async () => {
    const o = await offersOf(agent.client);
    return o.length ? o : undefined;
  });
  assert.ok(offer);
  const accepted = await agent.client.request('POST', `/api/routing/offers/${offer.offerId}/accept`);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  const contact = await until('contact active', async () => {
    const c = await agent.client.request('GET', `/api/contacts/${offer.taskId}`);
    const state = (c.json['contact'] ?? c.json)['state'];
    return state === 'active' ? c : undefined;
  });
  assert.ok(contact);
  const reply = await agent.client.request('POST', `/api/contacts/${offer.taskId}/reply`, {
    text: 'Yes, how can I help?',
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.json));
  await until('the reply in the widget', () =>
    received.find((m) => m.author === 'agent' && m.text === 'Yes, how can I help?'),
  );
  await agent.client.request('PUT', '/api/routing/me/state', { state: 'offline' });
});

test('in Chromium, an agent who clicks "start taking contacts" on a fresh console is offered the widget chat and answers it', async () => {
  await createSignedInUser(admin, 'fresh.desk', ['agent'], 'fresh desk password one');
  browser = await launchChromium();
  const ctx = await browser.newContext({ locale: 'en-US', ignoreHTTPSErrors: true });
  const desk = await ctx.newPage();
  const customer = await (await browser.newContext({ locale: 'en-US' })).newPage();
  try {
    await desk.goto(app.httpsBase);
    await desk.getByTestId('login-username').fill('fresh.desk');
    await desk.getByTestId('login-password').fill('fresh desk password one');
    await desk.getByTestId('login-submit').click();
    await desk.getByTestId('nav-agent').click();
    await desk.getByTestId('agent-become-available').click();
    await desk.getByTestId('agent-no-offers').waitFor();
    await customer.goto(`${app.base}/widget/demo.html`);
    await customer.getByTestId('bl-launcher').click();
    await customer.getByTestId('bl-prechat-name').fill('Li Na');
    await customer.getByTestId('bl-prechat-start').click();
    await customer.getByTestId('bl-input').fill('Can I open an account online?');
    await customer.getByTestId('bl-send').click();
    await desk.getByTestId('offer-pop').waitFor({ timeout: 10_000 });
    await desk.getByTestId('offer-accept').click();
    await desk.locator('[data-testid="conversation-view"][data-state="active"]').waitFor();
    await desk.getByTestId('composer-text').fill('Yes, with your ID card and phone.');
    await desk.getByTestId('composer-send').click();
    const reply = customer.getByTestId('bl-msg-agent');
    await reply.first().waitFor({ timeout: 10_000 });
    assert.equal(await reply.first().textContent(), 'Yes, with your ID card and phone.');
    await desk.getByTestId('agent-state').selectOption('offline');
  } catch (e) {
    await desk.screenshot({ path: `${ARTIFACTS}/fresh-install-desk-failure.png` }).catch(() => undefined);
    await customer
      .screenshot({ path: `${ARTIFACTS}/fresh-install-widget-failure.png` })
      .catch(() => undefined);
    throw e;
  }
});

test('a contact no workflow routes waits in the general queue, raises an alarm and is counted unroutable on the wallboard', async () => {
  const put = await admin.request('PUT', '/api/routing/workflows/default', {
    name: 'Voice only',
    filters: [{ name: 'calls', expression: "channel == 'voice'", targets: [{ queue: 'general' }] }],
  });
  assert.equal(put.status, 204, JSON.stringify(put.json));
  const s = visitor([]);
  await until('widget connected', () => (s.connected ? true : undefined));
  s.send('Nobody routes me');
  const board = await until('the wallboard counts it', async () => {
    const w = (await admin.request('GET', '/api/analytics/wallboard')).json;
    return w['unroutable'] === 1 ? w : undefined;
  });
  assert.ok(
    (board['byQueue'] as Array<{ queue: string; waiting: number }>).some(
      (q) => q.queue === 'general' && q.waiting >= 1,
    ),
  );
  const alarm = await until('the alarm on the audit trail', async () => {
    const r = await auditor.request('GET', '/api/audit?action=system.alarm_raised&limit=200');
    return (r.json['records'] as Array<{ details: Record<string, unknown> }>).find(
      (x) => x.details['alarm'] === 'routing.contact_unroutable',
    );
  });
  assert.match(String(alarm.details['detail']), /webchat.*general/);
  const late = await createSignedInUser(admin, 'fresh.late', ['agent'], 'fresh agent password two');
  await late.client.request('PUT', '/api/routing/me/state', { state: 'available' });
  await until('the unroutable chat is offered from the general queue', async () => {
    const o = await offersOf(late.client);
    return o.length ? o : undefined;
  });
});
