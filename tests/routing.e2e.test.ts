// Routing against the real appliance process: an offer is pushed over the
// console WebSocket to the chosen agent only, and accepted over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
const sockets: WebSocket[] = [];
/** Each recorded list's socket, so a test can send the console's 'ping'. */
const socketOf = new Map<Pushed[], WebSocket>();

before(async () => {
  const tmp = await tempDataDir();
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

/** Opens a console socket and records every pushed event. */
async function listen(client: ApiClient): Promise<Pushed[]> {
  const seen: Pushed[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  sockets.push(ws);
  socketOf.set(seen, ws);
  ws.on('message', (raw) => seen.push(JSON.parse(raw.toString()) as Pushed));
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return seen;
}

const waitFor = <T>(f: () => T | undefined) =>
  until('a routing event', f, { timeoutMs: 20_000, everyMs: 20 });

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

test('an offer reaches the chosen agent’s console socket only, and the agent accepts it', async () => {
  // Routing refuses a condition or profile naming a skill it does not know: the skill comes first.
  ok(await admin.request('PUT', '/api/routing/skills/billing', { name: 'Billing' }), 204);
  ok(await admin.request('PUT', '/api/routing/queues/general', { name: 'General' }), 204);
  ok(
    await admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [
        {
          name: 'billing',
          expression: "intent == 'billing'",
          targets: [{ queue: 'general', agentExpression: 'skills.billing >= 3' }],
        },
      ],
      defaultTarget: { queue: 'general' },
    }),
    204,
  );
  const a = await createSignedInUser(admin, 'route.a', ['agent'], 'agent password route a');
  const b = await createSignedInUser(admin, 'route.b', ['agent'], 'agent password route b');
  const profile = { languages: ['zh'], capacity: { webchat: 3, voice: 1 }, totalCapacity: 3 };
  ok(
    await admin.request('PUT', `/api/routing/agents/${a.userId}`, { ...profile, skills: { billing: 4 } }),
    204,
  );
  ok(
    await admin.request('PUT', `/api/routing/agents/${b.userId}`, { ...profile, skills: { billing: 1 } }),
    204,
  );
  const seenA = await listen(a.client);
  const seenB = await listen(b.client);
  ok(await b.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  ok(await a.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  const probe = await admin.request('POST', '/api/routing/match-test', {
    channel: 'webchat',
    attributes: { intent: 'billing' },
  });
  ok(probe, 200);
  const rows = probe.json['targets'][0].agents as Array<{ userId: string; matches: boolean }>;
  assert.deepEqual(
    rows.filter((r) => r.matches).map((r) => r.userId),
    [a.userId],
  );

  const task = await admin.request('POST', '/api/routing/tasks', {
    channel: 'webchat',
    attributes: { intent: 'billing' },
  });
  ok(task, 201);
  const offer = await waitFor(() => seenA.find((m) => m.event?.type === 'routing.offer_created')?.event);
  assert.equal(offer.data['recipientUserId'], a.userId);
  assert.equal(offer.data['taskId'], task.json['task'].id);
  assert.equal(offer.data['timeoutSeconds'], 20);

  // b is available and longer idle, but lacks the skill: nothing for them, and none of a's events either.
  // The gateway sends in order per socket, so once b's pong is back, anything pushed to b with a's
  // offer has arrived too, however loaded the machine; the fixed window then covers later pushes.
  socketOf.get(seenB)?.send('ping');
  await until('b’s pong', () => seenB.find((m) => m.type === 'pong'), { timeoutMs: 20_000, everyMs: 20 });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    seenB.filter((m) => m.event?.type.startsWith('routing.')),
    [],
  );
  assert.equal(seenB.filter((m) => m.event?.data['recipientUserId'] === a.userId).length, 0);

  const accepted = await a.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`);
  ok(accepted, 200);
  assert.equal(accepted.json['task'].status, 'assigned');
  assert.equal(accepted.json['task'].agentId, a.userId);
  await waitFor(() => seenA.find((m) => m.event?.type === 'routing.offer_accepted'));
  ok(await b.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 409);
});

test('a bad workflow expression is a 400 naming the position, and agents cannot change routing', async () => {
  const r = await admin.request('PUT', '/api/routing/workflows/broken', {
    name: 'Broken',
    filters: [{ name: 'x', expression: 'vipTier >= 2 )', targets: [{ queue: 'general' }] }],
  });
  ok(r, 400);
  assert.equal(r.json['error'].code, 'ROUTING_EXPRESSION_INVALID');
  assert.equal(r.json['error'].message, "Cannot parse expression: unexpected ')' at 13");
  const agent = await createSignedInUser(admin, 'route.c', ['agent'], 'agent password route c');
  ok(await agent.client.request('PUT', '/api/routing/queues/x', { name: 'X' }), 403);
  const state = await agent.client.request('GET', '/api/routing/me/state');
  ok(state, 404);
  assert.equal(state.json['error'].code, 'ROUTING_NOT_AN_AGENT');
});

test('not-ready needs a configured reason code and the state survives as an event on the agent’s socket', async () => {
  const c = await createSignedInUser(admin, 'route.d', ['agent'], 'agent password route d');
  ok(
    await admin.request('PUT', `/api/routing/agents/${c.userId}`, {
      skills: {},
      languages: ['en'],
      capacity: { email: 5 },
      totalCapacity: 5,
    }),
    204,
  );
  const seen = await listen(c.client);
  ok(await c.client.request('PUT', '/api/routing/me/state', { state: 'not_ready', reason: 'napping' }), 400);
  const r = await c.client.request('PUT', '/api/routing/me/state', { state: 'not_ready', reason: 'lunch' });
  ok(r, 200);
  assert.equal(r.json['reason'], 'lunch');
  const ev = await waitFor(() => seen.find((m) => m.event?.type === 'agent.state_changed')?.event);
  assert.deepEqual([ev.data['state'], ev.data['reason']], ['not_ready', 'lunch']);
});
