// A call sent back to a queue is offered again, against the real appliance:
// agent A's desk phone answers a trunk call, A is frozen, A's leg ends and the
// call goes to agent B ahead of a call that queued later; B's phone rings,
// answers and hears the caller. A blind transfer to a queue re-offers too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { CallerUa } from './voice-support/caller-ua.ts';
import { consoleSocket, type Pushed, routeAllTo, voiceAgentProfile } from './voice-support/e2e.ts';
import { hears, pulsedFrames, ulawTone } from './voice-support/parties.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let sipPort: number;
const closers: Array<() => void> = [];
/** Agent B and the call that queued behind the frozen agent's, for the next case. */
let carry: { b: Awaited<ReturnType<typeof deskAgent>>; laterContactId: string } | undefined;
const CALLER_HZ = 700;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voice-requeue-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'caller=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  await routeAllTo(
    admin,
    { id: 'general', name: 'General' },
    {
      id: 'inbound',
      name: 'Queue at once',
      language: 'en',
      start: 'q',
      nodes: { q: { type: 'enqueue', queue: 'general' } },
    },
  );
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  sipPort = status.json['sip'].port as number;
});
after(async () => {
  for (const c of closers) c();
  await app?.stop();
  await tmp?.cleanup();
});

/** An agent with a registered desk phone (auto-answers, sends silence) and a console socket. */
async function deskAgent(name: string) {
  const a = await createSignedInUser(admin, name, ['agent'], `agent password ${name}`);
  await voiceAgentProfile(admin, a.userId);
  const password = `desk phone secret ${name}`;
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: `ph-${name}`,
      password,
      userId: a.userId,
    }),
    201,
  );
  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: `ph-${name}`, password, audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  const socket = await consoleSocket(app.httpPort, a.client);
  closers.push(socket.close);
  return { ...a, name, phone, seen: socket.seen };
}

/** A trunk caller sending a pulsed 700 Hz tone (the noise suppression would fade a steady one). */
async function caller(): Promise<CallerUa> {
  const frame = pulsedFrames(ulawTone(CALLER_HZ));
  // 51 frames: the UA loops over (length - 160) bytes, so whole frames repeat in order.
  const audio = Buffer.concat(Array.from({ length: 51 }, (_, i) => frame(i)));
  const c = new CallerUa({ host: '127.0.0.1', port: sipPort }, audio);
  await c.start();
  closers.push(() => c.close());
  assert.equal(await c.call(), 200);
  return c;
}

const offers = (seen: Pushed[]) =>
  seen.filter((m) => m.event?.type === 'routing.offer_created').map((m) => m.event?.data ?? {});

async function calls(): Promise<Array<Record<string, string>>> {
  const r = await admin.request('GET', '/api/voice/calls');
  ok(r, 200);
  return r.json['calls'] as Array<Record<string, string>>;
}

async function agentRow(userId: string): Promise<{ state: string; load: number }> {
  const r = await admin.request('GET', '/api/routing/agents');
  ok(r, 200);
  const rows = (r.json['agents'] ?? r.json) as Array<{ userId: string; state: string; load: number }>;
  const row = rows.find((x) => x.userId === userId);
  assert.ok(row, `agent ${userId} listed`);
  return row;
}

async function contact(id: string): Promise<{ state: string; timeline: Record<string, string> }> {
  const r = await admin.request('GET', `/api/contacts/${id}`);
  ok(r, 200);
  return (r.json['contact'] ?? r.json) as { state: string; timeline: Record<string, string> };
}

/** `agent` takes the next offer for `contactId`; their phone answers and the call is bridged with them. */
async function answer(agent: Awaited<ReturnType<typeof deskAgent>>, contactId: string) {
  const offer = await until(
    `an offer of ${contactId} to ${agent.name}`,
    () =>
      offers(agent.seen)
        .filter((o) => o['contactId'] === contactId)
        .at(-1), // the latest (a requeue offers again)
    { timeoutMs: 15_000 },
  );
  ok(await agent.client.request('POST', `/api/routing/offers/${offer['offerId']}/accept`), 200);
  return until(
    `the call bridged with ${agent.name}`,
    async () =>
      (await calls()).find(
        (c) => c['contactId'] === contactId && c['agentUserId'] === agent.userId && c['state'] === 'bridged',
      ),
    { timeoutMs: 15_000 },
  );
}

test('a frozen agent’s live call is offered to the next agent ahead of later calls, keeps its age, and the caller reaches them', {
  timeout: 120_000,
}, async (t) => {
  const a = await deskAgent('rq.a');
  const b = await deskAgent('rq.b');
  ok(await a.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  await caller();
  const first = await until('an offer to A', () => offers(a.seen)[0], { timeoutMs: 20_000 });
  const contactId = first['contactId'] as string;
  const call = await answer(a, contactId);
  const queuedAt = (await contact(contactId)).timeline['queued'];
  assert.equal((await agentRow(a.userId)).load, 1);

  // A second call queues while A is busy and B is not taking calls yet.
  await caller();
  const later = await until(
    'the second call queued',
    async () =>
      (await calls()).find((c) => c['id'] !== call['id'] && c['state'] === 'queued' && c['contactId']),
    { timeoutMs: 20_000 },
  );

  ok(await admin.request('POST', `/api/users/${a.userId}/freeze`, { reason: 'left the company' }), 200);
  const frozenAt = Date.now();
  await until('A’s phone hung up', () => (a.phone.byes >= 1 ? true : undefined));
  await until('the contact queued again', async () =>
    (await contact(contactId)).state === 'queued' ? true : undefined,
  );
  assert.equal((await calls()).find((c) => c['id'] === call['id'])?.['state'], 'queued');
  await until('A’s capacity freed', async () => ((await agentRow(a.userId)).load === 0 ? true : undefined));
  assert.equal((await agentRow(a.userId)).state, 'offline');

  // B becomes available: the requeued call comes first, not the one that queued later.
  ok(await b.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  const bridged = await answer(b, contactId);
  t.diagnostic(`bridged with B ${Date.now() - frozenAt} ms after the freeze`);
  assert.equal(bridged['id'], call['id']);
  assert.equal(offers(b.seen)[0]?.['contactId'], contactId, 'the requeued call is offered to B first');
  assert.ok(
    !offers(b.seen).some((o) => o['contactId'] === later['contactId']),
    'the later call was not offered while B is busy',
  );
  const c = await until('the contact active with B', async () => {
    const now = await contact(contactId);
    return now.state === 'active' ? now : undefined;
  });
  assert.equal(c.timeline['queued'], queuedAt, 'the contact keeps its original queue time');
  await hears({ caller: CALLER_HZ }, 'B hears the caller', () => b.phone.received, { caller: true });
  assert.equal(a.phone.byes, 1);
  carry = { b, laterContactId: later['contactId'] as string };
  b.phone.hangup();
  await until('the call ended', async () =>
    (await calls()).some((x) => x['id'] === call['id']) ? undefined : true,
  );
});

test('a blind transfer to a queue from the API re-offers the call, and the agent who takes it again gets it', {
  timeout: 120_000,
}, async () => {
  assert.ok(carry, 'runs after the freeze case');
  const { b, laterContactId } = carry;
  // B is free again: the call that waited behind is theirs next.
  const call = await answer(b, laterContactId);
  const byes = b.phone.byes;
  const before = offers(b.seen).filter((o) => o['contactId'] === laterContactId).length;
  const r = await b.client.request('POST', `/api/voice/calls/${call['id']}/transfer`, {
    mode: 'blind',
    to: { queue: 'general' },
  });
  assert.ok(r.status >= 200 && r.status < 300, JSON.stringify(r.json));
  await until('B’s phone hung up', () => (b.phone.byes > byes ? true : undefined));
  await until('the call offered again', () =>
    offers(b.seen).filter((o) => o['contactId'] === laterContactId).length > before ? true : undefined,
  );
  const again = await answer(b, laterContactId);
  assert.equal(again['id'], call['id']);
  await hears({ caller: CALLER_HZ }, 'B hears the caller again', () => b.phone.received, { caller: true });
});
