// A frozen agent against the real appliance process: routing sets them offline
// at once, revokes their open offer and offers that chat to the next agent ahead
// of later chats; nothing new is offered to them. Freeze by the admin API and by
// `branchline user freeze` (control socket of the running appliance).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

const run = promisify(execFile);
let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
const sockets: WebSocket[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-freeze-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_HTTPS: 'off' } });
  admin = (await bootstrapAdmin(app)).admin;
  ok(await admin.request('PUT', '/api/routing/queues/general', { name: 'General' }), 204);
  ok(
    await admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [],
      defaultTarget: { queue: 'general' },
    }),
    204,
  );
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await app?.stop();
  await cleanup?.();
});

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

interface Pushed {
  type: string;
  event?: { type: string; data: Record<string, unknown> };
}

async function listen(client: ApiClient): Promise<Pushed[]> {
  const seen: Pushed[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  sockets.push(ws);
  ws.on('message', (raw) => seen.push(JSON.parse(raw.toString()) as Pushed));
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return seen;
}

/** An agent taking one chat at a time, signed in with a console socket. */
async function agent(name: string) {
  const a = await createSignedInUser(admin, name, ['agent'], `agent password ${name}`);
  ok(
    await admin.request('PUT', `/api/routing/agents/${a.userId}`, {
      skills: {},
      languages: ['zh'],
      capacity: { webchat: 1 },
      totalCapacity: 1,
    }),
    204,
  );
  return { ...a, name, seen: await listen(a.client) };
}

const offersTo = (seen: Pushed[]) =>
  seen.filter((m) => m.event?.type === 'routing.offer_created').map((m) => m.event?.data['taskId']);

async function chat(): Promise<string> {
  const r = await admin.request('POST', '/api/routing/tasks', { channel: 'webchat', attributes: {} });
  ok(r, 201);
  return r.json['task'].id as string;
}

async function agentRow(userId: string): Promise<{ state: string; load: number }> {
  const r = await admin.request('GET', '/api/routing/agents');
  ok(r, 200);
  const rows = (r.json['agents'] ?? r.json) as Array<{ userId: string; state: string; load: number }>;
  const row = rows.find((x) => x.userId === userId);
  assert.ok(row, `agent ${userId} listed`);
  return row;
}

async function task(id: string): Promise<{ status: string; agentId?: string }> {
  const r = await admin.request('GET', '/api/routing/tasks');
  ok(r, 200);
  const t = (r.json['tasks'] as Array<{ id: string; status: string }>).find((x) => x.id === id);
  assert.ok(t, `task ${id} listed`);
  return t;
}

/** Freezes `who` one way, then checks what routing did within a second. */
async function freezeAndCheck(freeze: (who: { userId: string; name: string }) => Promise<void>) {
  const frozen = await agent(`fz.${Math.random().toString(36).slice(2, 8)}`);
  const next = await agent(`nx.${Math.random().toString(36).slice(2, 8)}`);
  ok(await frozen.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  const first = await chat();
  await until('the first chat offered to the agent about to be frozen', () =>
    offersTo(frozen.seen).includes(first) ? true : undefined,
  );
  const second = await chat(); // the agent is full: this one waits behind the first

  await freeze(frozen);
  const frozenAt = Date.now();
  await until(
    'routing to show the frozen agent offline',
    async () => ((await agentRow(frozen.userId)).state === 'offline' ? true : undefined),
    { timeoutMs: 1000, everyMs: 20 },
  );
  const offlineMs = Date.now() - frozenAt;
  // The open offer is revoked: the first chat waits again, and the agent holds nothing.
  assert.equal((await task(first)).status, 'waiting');
  assert.equal((await agentRow(frozen.userId)).load, 0);

  // A chat arriving now is not offered to the frozen agent.
  const third = await chat();
  assert.equal((await task(third)).status, 'waiting');
  assert.equal((await agentRow(frozen.userId)).load, 0);

  // The next agent gets the revoked chat first: it kept its place at the head of the queue.
  ok(await next.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  await until('an offer to the next agent', () => (offersTo(next.seen).length > 0 ? true : undefined), {
    timeoutMs: 5000,
    everyMs: 20,
  });
  assert.deepEqual(offersTo(next.seen), [first]);
  assert.equal((await task(second)).status, 'waiting');
  assert.equal((await agentRow(frozen.userId)).state, 'offline');
  assert.ok(!offersTo(frozen.seen).includes(second) && !offersTo(frozen.seen).includes(third));
  // Leave the queue empty for the next case.
  ok(await next.client.request('PUT', '/api/routing/me/state', { state: 'offline' }), 200);
  for (const id of [first, second, third]) await admin.request('DELETE', `/api/routing/tasks/${id}`);
  return offlineMs;
}

test('a freeze through the admin API sets the agent offline at once, revokes the open offer and re-offers that chat first', async (t) => {
  const ms = await freezeAndCheck(async ({ userId }) => {
    ok(await admin.request('POST', `/api/users/${userId}/freeze`, { reason: 'left the company' }), 200);
  });
  t.diagnostic(`offline ${ms} ms after the freeze returned`);
  assert.ok(ms <= 1000, `offline ${ms} ms after the freeze returned`);
});

test('`branchline user freeze` on the running appliance does the same through the control socket', async (t) => {
  const ms = await freezeAndCheck(async ({ name }) => {
    const { stdout } = await run(process.execPath, ['bin/branchline.mjs', 'user', 'freeze', name], {
      cwd: ROOT,
      env: { ...process.env, BRANCHLINE_DATA_DIR: app.dataDir },
    });
    assert.match(stdout, /via the running appliance/);
  });
  t.diagnostic(`offline ${ms} ms after the CLI exited`);
});
