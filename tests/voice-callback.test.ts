// A routing callback against the real appliance process: a queued contact asks
// for a callback, the agent accepts its offer over the console socket, their SIP
// phone rings and answers, and the appliance dials the customer through the
// carrier trunk (a fake UAS that insists on digest auth). The number stays out
// of the audit trail.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseSip, type SipRequest, serializeSip } from '../appliance/src/voice/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { consoleSocket, waitFor } from './voice-support/e2e.ts';
import { FakeCarrier } from './voice-support/fake-carrier.ts';

const PHONE = '+861055501234';
const DIGITS = ['861055501234', '55501234'];

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let carrier: FakeCarrier;
const closers: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voice-cb-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_HTTPS: 'off', BRANCHLINE_DIALOUT_PREFIXES: '+8610' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  carrier = new FakeCarrier({ user: 'branch7', password: 'carrier secret 7', expires: 60, rtpPort: 45991 });
});
after(async () => {
  for (const c of closers) c();
  carrier?.close();
  await app?.stop();
  await tmp?.cleanup();
});

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The agent phone hangs up: a BYE inside the dialog the appliance opened with its INVITE. */
function byeFrom(phone: AgentUa, invite: SipRequest, sipPort: number): void {
  const h = new Map<string, string[]>();
  const local = phone.sip.address().port;
  h.set('via', [`SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-cb-bye-${Date.now()}`]);
  h.set('from', [`${invite.headers.get('to')?.[0]};tag=agenttag`]);
  h.set('to', [...(invite.headers.get('from') ?? [])]);
  h.set('call-id', [...(invite.headers.get('call-id') ?? [])]);
  h.set('cseq', ['2 BYE']);
  h.set('max-forwards', ['70']);
  const target =
    /<([^>]+)>/.exec(invite.headers.get('contact')?.[0] ?? '')?.[1] ?? `sip:branchline@127.0.0.1:${sipPort}`;
  const bye: SipRequest = { kind: 'request', method: 'BYE', uri: target, headers: h, body: Buffer.alloc(0) };
  phone.sip.send(serializeSip(bye), sipPort, '127.0.0.1');
}

test('accepting a callback offer rings the agent’s SIP phone, then dials the customer through the carrier with digest auth and bridges them; the number never reaches the audit trail', {
  timeout: 60_000,
}, async () => {
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  const sipPort = status.json['sip'].port as number;

  const carrierAt = await carrier.start();
  ok(
    await admin.request('PUT', '/api/voice/trunks', {
      name: 'pstn',
      host: carrierAt.host,
      port: carrierAt.port,
      username: 'branch7',
      password: 'carrier secret 7',
      expires: 60,
    }),
    200,
  );

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
  const agent = await createSignedInUser(admin, 'callback.a', ['agent'], 'agent password callback a');
  ok(
    await admin.request('PUT', `/api/routing/agents/${agent.userId}`, {
      skills: {},
      languages: ['en'],
      capacity: { webchat: 1, voice: 1 },
      totalCapacity: 1,
    }),
    204,
  );
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'phone-cb',
      password: 'desk phone secret cb',
      userId: agent.userId,
    }),
    201,
  );
  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-cb', password: 'desk phone secret cb', audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  const invites: SipRequest[] = [];
  phone.sip.on('message', (m) => {
    const msg = parseSip(m);
    if (msg.kind === 'request' && msg.method === 'INVITE') invites.push(msg);
  });

  // Nobody is available yet, so the contact waits in the queue and the customer asks to be called back.
  const task = await admin.request('POST', '/api/routing/tasks', { channel: 'webchat', attributes: {} });
  ok(task, 201);
  const taskId = task.json['task'].id as string;
  assert.equal(task.json['task'].status, 'waiting');
  ok(
    await agent.client.request('POST', `/api/routing/tasks/${taskId}/callback`, { phone: 'not-a-number' }),
    400,
  );
  const cb = await agent.client.request('POST', `/api/routing/tasks/${taskId}/callback`, { phone: PHONE });
  ok(cb, 200);
  assert.equal(JSON.stringify(cb.json).includes('55501234'), false, 'the answer does not echo the number');

  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  const offer = await waitFor(
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    10_000,
  );
  assert.equal(offer.data['taskId'], taskId);
  assert.equal(offer.data['recipientUserId'], agent.userId);
  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);

  // The agent's phone is rung first; only after it answers does the carrier get an authorised INVITE.
  const ring = await waitFor(() => invites[0], 10_000);
  const authorised = await waitFor(
    () => carrier.seen.find((s) => s.method === 'INVITE' && s.authorized),
    10_000,
  );
  assert.match(authorised.uri, new RegExp(`^sip:\\${PHONE}@127\\.0\\.0\\.1:${carrierAt.port}`));
  assert.deepEqual(
    carrier.seen.filter((s) => s.method === 'INVITE').map((s) => s.authorized),
    [false, true],
    'challenged with 407, then answered with digest',
  );
  assert.ok(
    await waitFor(() => (carrier.seen.some((s) => s.method === 'ACK') ? true : undefined)),
    'the carrier 2xx is ACKed',
  );

  const bridged = await waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).find(
      (c) => c['agentUserId'] === agent.userId && c['state'] === 'bridged',
    );
  });
  const callId = bridged['id'];

  // The agent hangs up their phone: the appliance ends the carrier leg too.
  byeFrom(phone, ring, sipPort);
  await waitFor(() => (carrier.seen.some((s) => s.method === 'BYE') ? true : undefined));
  await waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).some((c) => c['id'] === callId)
      ? undefined
      : true;
  });

  // An audit reader (audit.read without MFA) sees the callback and the dial-out, never the number.
  ok(
    await admin.request('POST', '/api/roles', {
      id: 'trail-reader',
      description: 'reads the audit trail',
      permissions: ['audit.read'],
    }),
    201,
  );
  const reader = await createSignedInUser(admin, 'trail.reader', ['trail-reader'], 'trail reader password 1');
  const records = await waitFor(async () => {
    const r = await reader.client.request('GET', '/api/audit?limit=1000');
    ok(r, 200);
    const all = r.json['records'] as Array<Record<string, unknown>>;
    return all.some((x) => x['action'] === 'call.dialout_started') ? all : undefined;
  }, 30_000);
  const trail = JSON.stringify(records);
  assert.ok(trail.includes(taskId), 'the callback task is in the trail');
  for (const d of DIGITS) assert.equal(trail.includes(d), false, `audit API leaks ${d}`);

  // And on disk: the audit store's LevelDB files, read raw after a graceful stop.
  assert.equal(await app.stop(), 0);
  const files = (await allFiles(tmp.dir)).filter((f) => f.split(path.sep).some((p) => /audit/i.test(p)));
  assert.ok(files.length > 0, 'the audit store is on disk');
  const raw = Buffer.concat(await Promise.all(files.map((f) => readFile(f)))).toString('latin1');
  assert.ok(raw.includes(agent.userId), 'the scan reads audit records in clear');
  for (const d of DIGITS) assert.equal(raw.includes(d), false, `audit files leak ${d}`);
});
