// Team chat and the public KB endpoint against the real appliance process:
// persistence across a restart, mentions over the real console WebSocket,
// consult threads carrying the contact link, sealed bodies at rest.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { untilTrue } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
const users: Record<string, { client: ApiClient; userId: string }> = {};

before(async () => {
  const tmp = await tempDataDir('bl-teamchat-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  ({ admin } = await bootstrapAdmin(app));
  for (const name of ['ann', 'bob', 'cai']) {
    users[name] = await createSignedInUser(admin, name, ['agent'], `${name} agent password 123`);
  }
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

interface Pushed {
  type: string;
  event?: { type: string; data: Record<string, unknown> };
}

async function openSocket(client: ApiClient): Promise<{ ws: WebSocket; got: Pushed[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  const got: Pushed[] = [];
  ws.on('message', (raw) => got.push(JSON.parse(raw.toString()) as Pushed));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { ws, got };
}

const waitFor = (pred: () => boolean) =>
  untilTrue('a team chat frame', pred, { timeoutMs: 3000, everyMs: 25 });

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

test('a mention in a group reaches only the mentioned user over the real console WebSocket', async () => {
  const ann = users['ann']!;
  const bob = users['bob']!;
  const cai = users['cai']!;
  const group = await ann.client.request('POST', '/api/teamchat/channels', {
    kind: 'group',
    name: 'cards desk',
    memberIds: [bob.userId, cai.userId],
  });
  ok(group, 201);
  const bobWs = await openSocket(bob.client);
  const caiWs = await openSocket(cai.client);
  const posted = await ann.client.request('POST', `/api/teamchat/channels/${group.json['id']}/messages`, {
    body: '@bob 客户卡丢了，请帮忙看一下挂失流程',
  });
  ok(posted, 201);
  assert.deepEqual(posted.json['mentions'], [bob.userId]);
  const mentionOf = (got: Pushed[]) => got.filter((m) => m.event?.type === 'teamchat.mentioned');
  await waitFor(() => mentionOf(bobWs.got).length === 1);
  // cai is a member and gets the message notice, but not the mention.
  await waitFor(() => caiWs.got.some((m) => m.event?.type === 'teamchat.message_posted'));
  assert.equal(mentionOf(caiWs.got).length, 0);
  assert.equal(mentionOf(bobWs.got)[0]?.event?.data['recipientUserId'], bob.userId);
  assert.equal(JSON.stringify(bobWs.got).includes('挂失流程'), false, 'pushed events carry no message body');
  bobWs.ws.close();
  caiWs.ws.close();
});

test('a consult thread carries the contact link, notifies the expert, and only members can read it', async () => {
  const ann = users['ann']!;
  const bob = users['bob']!;
  const bobWs = await openSocket(bob.client);
  const consult = await ann.client.request('POST', '/api/teamchat/consults', {
    contactId: 'contact-778',
    expertUserId: bob.userId,
    topic: '客户询问车险定损，尾号 8821',
  });
  ok(consult, 201);
  assert.equal(consult.json['contactId'], 'contact-778');
  assert.equal(consult.json['contactLink'], '/contacts/contact-778');
  await waitFor(() => bobWs.got.some((m) => m.event?.type === 'teamchat.consult_started'));
  bobWs.ws.close();
  const read = await bob.client.request('GET', `/api/teamchat/channels/${consult.json['id']}/messages`);
  ok(read, 200);
  assert.equal(read.json['messages'][0].body, '客户询问车险定损，尾号 8821');
  const outsider = await users['cai']!.client.request(
    'GET',
    `/api/teamchat/channels/${consult.json['id']}/messages`,
  );
  assert.equal(outsider.status, 404);
});

test('unread counts rise with others’ messages and clear when read', async () => {
  const ann = users['ann']!;
  const cai = users['cai']!;
  const dm = await ann.client.request('POST', '/api/teamchat/channels', {
    kind: 'direct',
    userId: cai.userId,
  });
  ok(dm, 201);
  for (const body of ['one', 'two']) {
    ok(await ann.client.request('POST', `/api/teamchat/channels/${dm.json['id']}/messages`, { body }), 201);
  }
  const unread = async (who: ApiClient) =>
    (
      (await who.request('GET', '/api/teamchat/channels')).json['channels'] as Array<{
        id: string;
        unread: number;
      }>
    ).find((c) => c.id === dm.json['id'])?.unread;
  assert.equal(await unread(cai.client), 2);
  assert.equal(await unread(ann.client), 0);
  ok(await cai.client.request('POST', `/api/teamchat/channels/${dm.json['id']}/read`, { seq: 2 }), 204);
  assert.equal(await unread(cai.client), 0);
});

test('the public KB search needs no session and is rate-limited per address', async () => {
  const anon = new ApiClient(app.base);
  const q = encodeURIComponent('卡丢了怎么办');
  const first = await anon.request('GET', `/api/kb/public/search?q=${q}`);
  ok(first, 200);
  assert.ok(Array.isArray(first.json['hits']));
  let limited = 0;
  for (let i = 0; i < 70 && limited === 0; i++) {
    if ((await anon.request('GET', `/api/kb/public/search?q=${q}`)).status === 429) limited = i + 2;
  }
  assert.ok(limited > 0 && limited <= 61, `limited after ${limited} requests`);
});

test('messages persist across an appliance restart and bodies are not stored in clear', async () => {
  const ann = users['ann']!;
  const bob = users['bob']!;
  const dm = await ann.client.request('POST', '/api/teamchat/channels', {
    kind: 'direct',
    userId: bob.userId,
  });
  const secret = '客户身份证号 110101199003071234 需要核实';
  ok(
    await ann.client.request('POST', `/api/teamchat/channels/${dm.json['id']}/messages`, { body: secret }),
    201,
  );
  assert.equal(await app.stop(), 0);
  const dbDir = path.join(app.dataDir, 'db', 'teamchat');
  let raw = '';
  for (const f of await readdir(dbDir)) {
    if (/\.(log|ldb)$/.test(f)) raw += (await readFile(path.join(dbDir, f))).toString('latin1');
  }
  assert.ok(raw.length > 0, 'teamchat database files exist');
  assert.equal(raw.includes('110101199003071234'), false, 'the body is sealed at rest');
  app = await startAppliance(app.dataDir);
  const again = new ApiClient(app.base);
  ok(await again.login('bob', 'bob agent password 123'), 200);
  const list = await again.request('GET', `/api/teamchat/channels/${dm.json['id']}/messages`);
  ok(list, 200);
  assert.ok((list.json['messages'] as Array<{ body: string }>).some((m) => m.body === secret));
});
