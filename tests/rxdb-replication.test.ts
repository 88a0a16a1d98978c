// The console's RxDB working set against the real appliance: the pull endpoint
// (paging, scope, permission) and the replication client with memory storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { WebSocket } from 'ws';
import { type ContactsPage, ContactsReplica } from '../web/src/data/contacts-db.ts';
import { randomId, type SocketLike, WidgetSession } from '../web/src/widget/protocol.ts';
import { chatAgent, ok } from './inbox-helpers.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until, untilTrue } from './support/until.ts';

let app: RunningAppliance;
let admin: ApiClient;
let cleanup: (() => Promise<void>) | undefined;
const sessions: WidgetSession[] = [];
type Agent = Awaited<ReturnType<typeof chatAgent>>;
let a: Agent;
let b: Agent;

const pull = (client: ApiClient, query: string) =>
  client.request('GET', `/api/replication/contacts?${query}`);
const myContactIds = async (agent: Agent) =>
  (
    (await agent.client.request('GET', '/api/contacts?scope=mine')).json['contacts'] as Array<{ id: string }>
  ).map((c) => c.id);

/** A visitor opens a web chat; routing offers it to whichever agent is available. Returns the contact id. */
async function chatTo(agent: Agent, text: string): Promise<string> {
  const before = new Set(await myContactIds(agent));
  const session = new WidgetSession({
    url: `${app.base.replace('http', 'ws')}/widget/ws`,
    token: randomId(24),
    connect: (url) => new WebSocket(url) as unknown as SocketLike,
    onMessage: () => {},
    backoff: () => 10,
  });
  sessions.push(session);
  session.start();
  await untilTrue('widget connected', () => session.connected, { timeoutMs: 10_000, everyMs: 20 });
  session.prechat({ name: 'Zhao Lei' });
  session.send(text);
  const id = await until(
    'the contact is offered to the agent',
    async () => (await myContactIds(agent)).find((id) => !before.has(id)),
    { timeoutMs: 15_000, everyMs: 50 },
  );
  // Accepted, so no offer timeout requeues it to someone else while the tests run.
  const offers = (await agent.client.request('GET', '/api/routing/me/state')).json['offers'] as Array<{
    offerId: string;
  }>;
  for (const o of offers)
    ok(await agent.client.request('POST', `/api/routing/offers/${o.offerId}/accept`), 200);
  await untilTrue(
    'the contact is active',
    async () =>
      (await agent.client.request('GET', `/api/contacts/${id}`)).json['contact']?.state === 'active',
    { timeoutMs: 10_000, everyMs: 50 },
  );
  return id;
}

before(async () => {
  const tmp = await tempDataDir('bl-rxdb-');
  app = await startAppliance(tmp.dir);
  cleanup = async () => {
    for (const s of sessions) s.close();
    await app.stop();
    await tmp.cleanup();
  };
  admin = (await bootstrapAdmin(app)).admin;
  a = await chatAgent(admin, 'rx.a', 'agent password rx a');
  b = await createSignedInUser(admin, 'rx.b', ['agent'], 'agent password rx b');
  ok(
    await admin.request('PUT', `/api/routing/agents/${b.userId}`, {
      skills: { cards: 3 },
      languages: ['zh', 'en'],
      capacity: { webchat: 3 },
      totalCapacity: 3,
    }),
    204,
  );
});
after(async () => {
  await cleanup?.();
});

describe('GET /api/replication/contacts', () => {
  let aContacts: string[] = [];
  let bContact = '';

  before(async () => {
    ok(await a.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
    aContacts = [await chatTo(a, 'first question'), await chatTo(a, 'second question')];
    aContacts.push(await chatTo(a, 'third question'));
    ok(await a.client.request('PUT', '/api/routing/me/state', { state: 'offline' }), 200);
    ok(await b.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
    bContact = await chatTo(b, 'a question for b');
    ok(await b.client.request('PUT', '/api/routing/me/state', { state: 'offline' }), 200);
  });

  test('pages an agent’s contacts by the (updatedAt, id) checkpoint, each once, with name and preview', async () => {
    const seen: string[] = [];
    let checkpoint = '';
    for (let i = 0; i < 10; i++) {
      const r = await pull(
        a.client,
        `limit=2${checkpoint ? `&checkpoint=${encodeURIComponent(checkpoint)}` : ''}`,
      );
      ok(r, 200);
      const page = r.json as ContactsPage;
      assert.ok(page.documents.length <= 2);
      if (page.documents.length === 0) break;
      for (const d of page.documents.filter((x) => !x._deleted)) seen.push(d.id);
      assert.ok(page.checkpoint);
      checkpoint = `${page.checkpoint.updatedAt},${page.checkpoint.id}`;
    }
    assert.deepEqual([...seen].sort(), [...aContacts].sort());
    const full = (await pull(a.client, 'limit=50')).json as ContactsPage;
    const first = full.documents.find((d) => d.id === aContacts[0]);
    assert.equal(first?.preview, 'first question');
    assert.equal(first?.customerName, 'Zhao Lei');
    assert.equal(first?.agentId, a.userId);
    const stamps = full.documents.map((d) => `${d.updatedAt},${d.id}`);
    assert.deepEqual(stamps, [...stamps].sort());
  });

  test('an agent gets another agent’s contact only as a bare tombstone, and the admin scope=all gets it in full', async () => {
    const mine = (await pull(a.client, 'limit=50')).json as ContactsPage;
    const other = mine.documents.find((d) => d.id === bContact);
    if (other) {
      assert.equal(other._deleted, true);
      assert.equal(other.customerName, undefined);
      assert.equal(other.preview, undefined);
    }
    const all = await pull(a.client, 'limit=50&scope=all');
    assert.equal(
      (all.json as ContactsPage).documents.find((d) => d.id === bContact)?._deleted ?? true,
      true,
      'scope=all without contacts.monitor stays scope=mine',
    );
    const sup = (await pull(admin, 'limit=50&scope=all')).json as ContactsPage;
    const full = sup.documents.find((d) => d.id === bContact);
    assert.equal(full?._deleted, false);
    assert.equal(full?.preview, 'a question for b');
  });

  test('the pull is 403 without contacts.handle and 401 without a session', async () => {
    ok(
      await admin.request('POST', '/api/roles', {
        id: 'crm-reader',
        description: 'reads customer profiles only',
        permissions: ['customers.read'],
      }),
      201,
    );
    const reader = await createSignedInUser(admin, 'rx.reader', ['crm-reader'], 'reader password rx');
    const r = await pull(reader.client, 'limit=5');
    assert.equal(r.status, 403, JSON.stringify(r.json));
    const anonymous = await fetch(`${app.base}/api/replication/contacts`);
    assert.equal(anonymous.status, 401);
  });

  test('a malformed checkpoint or limit is a coded 400', async () => {
    const r = await pull(a.client, 'checkpoint=nocomma');
    assert.equal(r.status, 400, JSON.stringify(r.json));
    const big = await pull(a.client, 'limit=100000');
    assert.equal(big.status, 400);
    assert.match(String(big.json['error']?.code), /^[A-Z_]+$/);
  });
});

describe('ContactsReplica (rxdb memory storage) against the appliance', () => {
  test('documents arrive, and a new contact appears after reSync()', async () => {
    const errors: unknown[] = [];
    const replica = await ContactsReplica.open({
      storage: getRxStorageMemory(),
      name: `rxtest${randomId(8)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')}`,
      fetch: async (path) => {
        const r = await a.client.request('GET', path);
        if (r.status !== 200) throw new Error(`pull ${r.status}`);
        return r.json as ContactsPage;
      },
      batchSize: 2,
      onError: (e) => errors.push(e),
    });
    try {
      await replica.awaitInSync();
      const ids = async () => (await replica.collection.find().exec()).map((d) => d.id).sort();
      const expected = (await myContactIds(a)).sort();
      assert.ok(expected.length >= 3);
      assert.deepEqual(await ids(), expected);
      const doc = await replica.collection.findOne(expected[0]).exec();
      assert.equal(doc?.agentId, a.userId);

      // a already holds three chats, the capacity chatAgent() gives; room for one more
      ok(
        await admin.request('PUT', `/api/routing/agents/${a.userId}`, {
          skills: { cards: 3 },
          languages: ['zh', 'en'],
          capacity: { webchat: 6 },
          totalCapacity: 6,
        }),
        204,
      );
      ok(await a.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
      const fresh = await chatTo(a, 'arrived while replicating');
      assert.equal((await ids()).includes(fresh), false, 'nothing pulls without a reSync');
      replica.reSync();
      const got = await until(
        'the new contact replicates',
        async () => (await replica.collection.findOne(fresh).exec()) ?? undefined,
        { timeoutMs: 10_000, everyMs: 50 },
      );
      assert.equal(got.preview, 'arrived while replicating');
      assert.equal(got.state, 'active');
      assert.deepEqual(errors, []);
    } finally {
      await replica.close();
      await replica.close();
    }
  });
});
