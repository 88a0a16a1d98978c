import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import {
  type CryptoFacade,
  EncryptedDocStore,
  MemoryDocStore,
  openCrypto,
} from '../appliance/src/storage/index.ts';
import { VoiceError, VoiceStack } from '../appliance/src/voice/index.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { FakeCarrier } from './voice-support/fake-carrier.ts';
import { decodeUlawBuf, toneShare } from './voice-support/util.ts';

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let raw: MemoryDocStore;
let carrier: FakeCarrier;
let agent: AgentUa;
let carrierAt: { host: string; port: number };
const bus = new EventBus();
const events: Array<{ type: string; data: Record<string, unknown> }> = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-voice-out-'));
  crypto = await openCrypto(join(dir, 'keys'));
  bus.subscribe('*', (e) => void events.push({ type: e.type, data: e.data as Record<string, unknown> }));
  raw = new MemoryDocStore('sip');
  stack = new VoiceStack({
    accountsStore: new EncryptedDocStore(raw, { crypto, fields: ['ha1Md5', 'ha1Sha256', 'password'] }),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-out-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: [],
      allowedPrefixes: ['+8610'],
      realm: 'branchline',
      inboundFlow: async () => undefined,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
    dialout: { maxConcurrentPerUser: 1, maxDailyPerUser: 2 },
  });
  const sip = await stack.listen(0, '127.0.0.1');
  carrier = new FakeCarrier({ user: 'branch42', password: 'carrier-secret-1', expires: 2, rtpPort: 45990 });
  carrierAt = await carrier.start();
  await stack.accounts.create({ username: 'agent9', password: 'correct horse battery', userId: 'u9' });
  agent = new AgentUa(sip, {
    user: 'agent9',
    password: 'correct horse battery',
    audio: Buffer.alloc(1600, 0xff),
  });
  await agent.start();
  assert.equal(await agent.register(), 200);
});

after(async () => {
  agent.close();
  carrier.close();
  await stack.close();
  crypto.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

const until = async (f: () => boolean, ms = 8000) => {
  for (let t = 0; t < ms && !f(); t += 50) await new Promise((r) => setTimeout(r, 50));
  return f();
};

test('a carrier trunk stored through VoiceStack keeps its password sealed and registers with digest, refreshing before expiry', {
  timeout: 20_000,
}, async () => {
  const view = await stack.putTrunk(
    {
      name: 'pstn',
      host: carrierAt.host,
      port: carrierAt.port,
      username: 'branch42',
      password: 'carrier-secret-1',
      expires: 2,
    },
    { userId: 'admin' },
  );
  assert.equal('password' in view, false, 'the API view never carries the password');
  const stored = JSON.stringify(await raw.get('siptrunk:pstn'));
  assert.equal(stored.includes('carrier-secret-1'), false, 'the password is encrypted at rest');
  assert.ok(await until(() => carrier.registrations >= 1), 'registered');
  assert.deepEqual(
    carrier.seen
      .filter((s) => s.method === 'REGISTER')
      .slice(0, 2)
      .map((s) => s.authorized),
    [false, true],
    'challenged, then answered with digest',
  );
  // Granted 2 s: the refresh comes before it lapses.
  assert.ok(await until(() => carrier.registrations >= 2, 4000), 'refreshed before expiry');
  const [t] = await stack.listTrunks();
  assert.equal(t?.registration?.registered, true);
  assert.ok(events.some((e) => e.type === 'sip.trunk_registration_changed' && e.data.registered === true));
});

test('dialOut() rings the agent phone, then dials the carrier with proxy digest auth (the agent hears 450 Hz ringback while it rings), bridges and ends both legs on hang-up', {
  timeout: 20_000,
}, async () => {
  carrier.ringMs = 1500;
  const info = await stack.dialout.dial('u9', '+861012345678').finally(() => {
    carrier.ringMs = 0;
  });
  assert.equal(info.state, 'bridged');
  // The carrier sends no media of its own: what reached the agent's phone before the answer is the ringback.
  const heard = decodeUlawBuf(Buffer.concat(agent.received));
  assert.ok(
    heard.length >= 8000 * 0.5,
    `the agent heard at least 0.5 s while it rang (${heard.length} samples)`,
  );
  const onset = heard.findIndex((v) => Math.abs(v) > 1000);
  assert.ok(onset >= 0, 'the agent heard a tone');
  const tone = heard.subarray(onset, onset + 4000);
  assert.ok(
    toneShare(tone, 450, 8000) > 0.9,
    `the ringback is the 450 Hz tone (${toneShare(tone, 450, 8000)})`,
  );
  assert.equal(info.attributes.direction, 'outbound');
  const invites = carrier.seen.filter((s) => s.method === 'INVITE');
  assert.deepEqual(
    invites.map((s) => s.authorized),
    [false, true],
  );
  assert.match(invites[1]?.uri ?? '', /^sip:\+861012345678@127\.0\.0\.1/);
  assert.ok(
    carrier.seen.some((s) => s.method === 'ACK'),
    'the carrier 2xx is ACKed',
  );
  assert.ok(events.some((e) => e.type === 'call.dialout_started' && e.data.callId === info.id));
  await stack.service.hangup(info.id, 'agent_hangup');
  assert.ok(
    await until(() => carrier.seen.some((s) => s.method === 'BYE') && agent.byes === 1),
    'both legs got a BYE',
  );
});

test('the toll-fraud policy refuses a disallowed prefix, a second concurrent call and calls over the daily limit, each audited with a coded reason', {
  timeout: 20_000,
}, async () => {
  const refused = async (p: Promise<unknown>, reason: string) => {
    await assert.rejects(
      p,
      (e: unknown) =>
        e instanceof VoiceError &&
        e.code === 'VOICE_DIALOUT_REFUSED' &&
        e.status === 403 &&
        (e.details as { reason?: string }).reason === reason,
    );
    assert.ok(events.some((e) => e.type === 'call.dialout_refused' && e.data.reason === reason));
  };
  await refused(stack.dialout.dial('u9', '+19005550100'), 'prefix_not_allowed');
  await refused(stack.dialout.dial('u9', 'sip:evil'), 'invalid_number');
  await refused(stack.dialout.dial('nobody', '+861012345678'), 'no_agent_phone');
  const live = await stack.dialout.dial('u9', '+861099999999');
  await refused(stack.dialout.dial('u9', '+861088888888'), 'over_concurrent_limit');
  await stack.service.hangup(live.id, 'agent_hangup');
  // Two calls placed today (limit 2): the third is refused.
  await refused(stack.dialout.dial('u9', '+861077777777'), 'over_daily_limit');
  const masked = events.filter((e) => e.type === 'call.dialout_refused').map((e) => String(e.data.target));
  assert.ok(
    masked.every((t) => !t.includes('12345678')),
    'numbers are masked in events',
  );
});
