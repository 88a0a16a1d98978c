// Analytics against the real appliance process: a web chat contact goes
// queued → offered → active → wrap-up → closed through the real APIs, and the
// supervisor console's WebSocket sees the wallboard numbers follow it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { chatAgent, ok } from './inbox-helpers.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
const sockets: WebSocket[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-analytics-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await app?.stop();
  await cleanup?.();
});

interface Pushed {
  type: string;
  event?: { type: string; data: Record<string, unknown> };
}

async function open(
  url: string,
  headers: Record<string, string> = {},
): Promise<Array<Record<string, unknown>>> {
  const frames: Array<Record<string, unknown>> = [];
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return frames;
}

const consoleSocket = async (client: ApiClient) =>
  (await open(`ws://127.0.0.1:${app.httpPort}/api/ws`, { cookie: client.cookie })) as unknown as Pushed[];

type Snapshot = { kpis: Record<string, number | null>; waiting: number; agents: Record<string, number> };
const wallboards = (seen: Pushed[]) =>
  seen
    .filter((m) => m.event?.type === 'analytics.wallboard_updated')
    .map((m) => m.event?.data as unknown as Snapshot);
const waitFor = <T>(what: string, f: () => T | undefined) =>
  until(what, f, { timeoutMs: 10_000, everyMs: 25 });

test('a web chat contact moves the wallboard over the supervisor console socket, and agents do not receive it', async () => {
  const agent = await chatAgent(admin, 'an.agent', 'agent password analytics 1');
  const supervisorSeen = await consoleSocket(admin);
  const agentSeen = await consoleSocket(agent.client);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  await waitFor('agents available on the wallboard', () =>
    wallboards(supervisorSeen).find((w) => w.agents['available'] === 1),
  );

  const widget = await open(`ws://127.0.0.1:${app.httpPort}/widget/ws`);
  const ws = sockets.at(-1) as WebSocket;
  ws.send(JSON.stringify({ t: 'hello', token: randomBytes(18).toString('base64url'), lastSeq: 0 }));
  await waitFor('widget welcome', () => widget.find((f) => f['t'] === 'welcome'));
  ws.send(JSON.stringify({ t: 'send', cid: 'm1', text: '我的信用卡被冻结了' }));

  const offer = await waitFor(
    'offer to the agent',
    () => agentSeen.find((m) => m.event?.type === 'routing.offer_created')?.event,
  );
  const offered = await waitFor('wallboard counts the offered contact', () =>
    wallboards(supervisorSeen).find((w) => w.kpis['offered'] === 1),
  );
  assert.equal(offered.kpis['answered'], 0);

  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  const answered = await waitFor('wallboard counts the answer', () =>
    wallboards(supervisorSeen).find((w) => w.kpis['answered'] === 1 && w.agents['onContact'] === 1),
  );
  assert.equal(answered.kpis['answerRate'], 1);
  assert.equal(answered.kpis['serviceLevel'], 1);
  assert.equal(answered.waiting, 0);

  const contactId = offer.data['contactId'] as string;
  ok(await agent.client.request('POST', `/api/contacts/${contactId}/transition`, { to: 'wrap_up' }), 200);
  ok(await agent.client.request('POST', `/api/contacts/${contactId}/transition`, { to: 'closed' }), 200);
  const handled = await waitFor('wallboard counts the handled contact', () =>
    wallboards(supervisorSeen).find((w) => w.kpis['handled'] === 1),
  );
  assert.equal(typeof handled.kpis['ahtSeconds'], 'number');
  assert.equal(handled.agents['onContact'], 0);

  const rest = await admin.request('GET', '/api/analytics/wallboard');
  ok(rest, 200);
  assert.equal(rest.json['kpis'].handled, 1);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const rows = await admin.request('GET', `/api/analytics/intervals?from=${from}&to=${to}`);
  ok(rows, 200);
  assert.deepEqual(
    (rows.json['intervals'] as Array<Record<string, unknown>>).map((r) => [
      r['queue'],
      r['channel'],
      r['offered'],
      r['handled'],
    ]),
    [['chat', 'webchat', 1, 1]],
  );
  const csv = await fetch(`${app.base}/api/analytics/intervals?from=${from}&to=${to}&format=csv`, {
    headers: { cookie: admin.cookie },
  });
  assert.equal(csv.status, 200);
  assert.match(await csv.text(), /^bucket,queue,channel,offered/);
  ok(await agent.client.request('GET', '/api/analytics/wallboard'), 403);
  assert.equal(agentSeen.filter((m) => m.event?.type.startsWith('analytics.')).length, 0);
});

test('the staffing calculator answers Erlang C over HTTP and rejects unknown fields', async () => {
  const r = await admin.request('POST', '/api/analytics/staffing', {
    volume: 100,
    intervalMinutes: 30,
    ahtSeconds: 180,
    targetLevel: 0.8,
    targetSeconds: 20,
    shrinkage: 0.3,
  });
  ok(r, 200);
  assert.deepEqual([r.json['agents'], r.json['scheduled']], [14, 20]);
  ok(await admin.request('POST', '/api/analytics/staffing', { volume: 1, ahtSeconds: 60, bogus: 1 }), 400);
});
