import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { DEFAULT_INBOUND_FLOW, EspeakTts, FlowService, PocketsphinxAsr } from '../flows/index.ts';
import { createApp } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { MemoryDocStore, openCrypto } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { voiceRoutes } from './routes.ts';
import { dialoutRoutes } from './routes-dialout.ts';
import { VoiceStack } from './setup.ts';

const admin = testPrincipal('adm', ['system.manage']);

/** Voice's admin routes in-process over a real stack (memory stores, nothing listening), with `prefixes` allowed for dial-out. */
async function setup(t: { after: (fn: () => Promise<void>) => void }, prefixes: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'bl-voice-usage-'));
  const crypto = await openCrypto(join(dir, 'keys'));
  const bus = new EventBus();
  const flows = new FlowService(new MemoryDocStore('flows'), { bus });
  const names: Record<string, string> = { u1: '王芳' };
  const stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: [],
      allowedPrefixes: prefixes,
      realm: 'branchline',
      inboundFlow: async () => undefined,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
    userExists: async (id) => id in names,
    usage: { userName: async (id) => names[id], flows },
  });
  t.after(async () => {
    await stack.close();
    crypto.close();
    bus.close();
    await rm(dir, { recursive: true, force: true });
  });
  const app = createApp({
    resolveSession: async (sid) => (sid === 'adm' ? admin : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [
      ['/api', voiceRoutes(stack)],
      ['/api', dialoutRoutes(stack)],
    ],
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/voice/${path}`, {
      method,
      headers: {
        cookie: '__Host-bl_session=adm',
        'x-csrf-token': 'csrf-adm',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  return { call, flows };
}

const trunk = (name: string) => ({
  name,
  host: '192.0.2.10',
  username: 'branch',
  password: 'carrier secret',
  register: false,
});

test('DELETE a desk phone its agent or an IVR transfer step uses is refused with 409 VOICE_ACCOUNT_IN_USE naming them', async (t) => {
  const { call, flows } = await setup(t, []);
  const created = await call('POST', 'sip-accounts', {
    username: '8001',
    password: 'desk phone secret',
    userId: 'u1',
  });
  assert.equal(created.status, 201);
  await flows.save(
    {
      ...DEFAULT_INBOUND_FLOW,
      id: 'front-desk',
      name: '前台转接',
      start: 'desk',
      nodes: { desk: { type: 'transfer', target: 'sip:8001@branch' } },
    },
    { userId: 'adm' },
  );

  const refused = await call('DELETE', 'sip-accounts/8001');
  assert.equal(refused.status, 409);
  assert.equal(refused.json['error'].code, 'VOICE_ACCOUNT_IN_USE');
  assert.deepEqual(refused.json['error'].details.usedBy, [
    { kind: 'agent', id: 'u1', name: '王芳' },
    { kind: 'flow', id: 'front-desk', name: '前台转接' },
  ]);
  assert.equal((await call('GET', 'sip-accounts')).json['accounts'].length, 1, 'the phone is kept');

  // Nobody's phone any more, but the IVR still transfers to it.
  assert.equal((await call('PATCH', 'sip-accounts/8001', { userId: null })).status, 200);
  const byFlow = await call('DELETE', 'sip-accounts/8001');
  assert.equal(byFlow.status, 409);
  assert.deepEqual(byFlow.json['error'].details.usedBy, [
    { kind: 'flow', id: 'front-desk', name: '前台转接' },
  ]);

  // Another extension (8001x) is not this one; with the transfer gone the delete goes through.
  await flows.save(
    {
      ...DEFAULT_INBOUND_FLOW,
      id: 'front-desk',
      name: '前台转接',
      start: 'desk',
      nodes: { desk: { type: 'transfer', target: '8001x' } },
    },
    { userId: 'adm' },
  );
  assert.equal((await call('DELETE', 'sip-accounts/8001')).status, 204);
  assert.equal((await call('DELETE', 'sip-accounts/8001')).status, 404);
});

test('DELETE the last trunk while dial-out is on is refused with 409 VOICE_TRUNK_IN_USE; with another trunk it goes', async (t) => {
  const { call } = await setup(t, ['0', '+86']);
  assert.equal((await call('PUT', 'trunks', trunk('carrier'))).status, 200);
  const refused = await call('DELETE', 'trunks/carrier');
  assert.equal(refused.status, 409);
  assert.equal(refused.json['error'].code, 'VOICE_TRUNK_IN_USE');
  assert.deepEqual(refused.json['error'].details.usedBy, [
    { kind: 'dialout', id: 'dialout', name: '0, +86' },
  ]);

  // A second trunk takes dial-out over: the first one may go, the second is then the last.
  assert.equal((await call('PUT', 'trunks', trunk('backup'))).status, 200);
  assert.equal((await call('DELETE', 'trunks/carrier')).status, 204);
  assert.equal((await call('DELETE', 'trunks/backup')).status, 409);
  assert.deepEqual(
    (await call('GET', 'trunks')).json['trunks'].map((x: { name: string }) => x.name),
    ['backup'],
  );
  assert.equal((await call('DELETE', 'trunks/nope')).status, 404);
});

test('DELETE the only trunk while dial-out is off (no number prefixes) goes through: nothing dials through it', async (t) => {
  const { call } = await setup(t, []);
  assert.equal((await call('PUT', 'trunks', trunk('carrier'))).status, 200);
  assert.equal((await call('DELETE', 'trunks/carrier')).status, 204);
});
