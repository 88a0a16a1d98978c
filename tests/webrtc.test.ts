import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { DomainError, PERMISSIONS, type Permission } from '../appliance/src/contracts/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, type FlowDefinition, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import type { AppEnv, Principal } from '../appliance/src/http/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type CryptoFacade, MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack, WebRtcSessions, webrtcRoutes } from '../appliance/src/voice/index.ts';
import { linearToUlaw } from '../appliance/src/voice/media/g711.ts';
import { until } from './support/until.ts';
import { sendDtmf } from './voice-support/util.ts';
import { launchWebRtcChromium, RtpPeer, sipInvite, softphonePage, toneWav } from './webrtc-support.ts';

const FLOW: FlowDefinition = {
  id: 'inbound',
  name: 'WebRTC IVR',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: {
      type: 'menu',
      prompt: 'Press one for sales, two for billing.',
      options: { '1': 'sales', '2': 'billing' },
      default: 'bye',
      timeoutMs: 20000,
    },
    sales: { type: 'set', attributes: { dept: 'sales' }, next: 'qs' },
    qs: { type: 'enqueue', queue: 'sales' },
    billing: { type: 'set', attributes: { dept: 'billing' }, next: 'qb' },
    qb: { type: 'enqueue', queue: 'billing' },
    bye: { type: 'hangup' },
  },
};

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let sessions: WebRtcSessions;
let sip: { host: string; port: number };
let origin: string;
let server: ReturnType<typeof serve>;
let browser: Browser;
const bus = new EventBus();

function principal(userId: string, perms: Permission[]): Principal {
  return {
    userId,
    username: userId,
    roles: [],
    permissions: new Set(perms),
    sessionId: `s-${userId}`,
    csrfToken: 't',
    mustChangePassword: false,
    mfaSetupRequired: false,
  };
}
const USERS: Record<string, Principal> = {
  agent: principal('user-agent', ['contacts.handle']),
  sup: principal('user-sup', ['contacts.monitor', 'contacts.handle']),
};

before(async () => {
  assert.ok(PERMISSIONS.includes('contacts.monitor'));
  dir = await mkdtemp(join(tmpdir(), 'bl-webrtc-'));
  crypto = await openCrypto(join(dir, 'keys'));
  stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('webrtc-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: ['127.0.0.1'],
      allowedPrefixes: [],
      realm: 'branchline',
      inboundFlow: async () => FLOW,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
  });
  sip = await stack.listen(0, '127.0.0.1');
  const base = 40000 + Math.floor(Math.random() * 200) * 100;
  sessions = new WebRtcSessions({
    worker: stack.worker,
    voice: stack.service,
    bus,
    logger: createLogger('webrtc-test'),
    hosts: ['127.0.0.1'],
    portRange: [base, base + 99],
  });
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('principal', USERS[c.req.header('x-test-user') ?? '']);
    c.set('clientIp', '127.0.0.1');
    await next();
  });
  app.get('/softphone-test', (c) => c.html('<!doctype html><html><body>softphone</body></html>'));
  app.route('/api', webrtcRoutes(sessions));
  app.onError((err, c) => {
    const status = err instanceof DomainError ? err.status : 500;
    const code = err instanceof DomainError ? err.code : 'INTERNAL';
    return c.json({ error: { code, message: err.message } }, status as 400);
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await toneWav(join(dir, 'mic.wav'), 440);
  browser = await launchWebRtcChromium(join(dir, 'mic.wav'));
});

after(async () => {
  await browser?.close();
  await sessions?.close();
  await stack?.close();
  server?.close();
  crypto?.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts the console softphone code in `page` against `path` and returns the session id. */
function startSoftphone(
  page: Page,
  path: string,
  user: string,
  extra: Record<string, string> = {},
): Promise<string> {
  return page.evaluate(`(async () => {
    window.sess = await Softphone.SoftphoneSession.start({
      codec: 'pcmu',
      signal: async (sdp) => {
        const r = await fetch(${JSON.stringify(path)}, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-user': ${JSON.stringify(user)} },
          body: JSON.stringify({ sdp, ...${JSON.stringify(extra)} }),
        });
        if (!r.ok) throw new Error(await r.text());
        return r.json();
      },
    });
    return window.sess.sessionId;
  })()`);
}
const browserStats = (page: Page) =>
  page.evaluate('window.sess.stats()') as Promise<{ packetsReceived: number; packetsSent: number }>;

function nextQueued(): Promise<{ callId: string; queue: string; attributes: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const off = bus.subscribe('call.queued', (e) => {
      off();
      resolve(e.data);
    });
  });
}

/** Under CI load (2 cores, two files at once) media flows late: poll with a deadline instead of sleeping. */
const POLL = { timeoutMs: 20_000, everyMs: 200 };
const energy = (frames: Buffer[]) =>
  frames.reduce((n, f) => n + f.filter((b) => (b & 0x7f) < 0x60).length, 0);

test('a browser agent with a fake microphone answers a SIP caller: RTP flows both ways and both legs are recorded', {
  timeout: 60_000,
}, async () => {
  const caller = new RtpPeer();
  const callerPort = await caller.start();
  const inv = await sipInvite(sip, callerPort);
  try {
    const tone = (i: number) =>
      Buffer.from(
        Array.from({ length: 160 }, (_, k) =>
          linearToUlaw(8000 * Math.sin(((i * 160 + k) * 2 * Math.PI * 300) / 8000)),
        ),
      );
    caller.stream(inv.mediaPort, tone);
    const queued = nextQueued();
    // The digit goes in once the IVR is audibly up (its menu prompt reaches the caller).
    await until('the menu prompt', () => (caller.received.length > 0 ? true : undefined), POLL);
    await sendDtmf('1', { host: '127.0.0.1', port: inv.mediaPort }, { from: caller.socket });
    const q = await queued;
    assert.equal(q.queue, 'sales');
    const page = await softphonePage(browser, origin);
    const sessionId = await startSoftphone(page, '/api/voice/webrtc/sessions', 'agent', { callId: q.callId });
    assert.equal(stack.service.get(q.callId)?.state, 'bridged');
    const before = caller.received.length;
    const measure = async () => ({
      b: await browserStats(page),
      agentLeg: await sessions.stats(sessionId),
      customerLeg: await stack.worker.request<{ packetsIn: number }>({
        op: 'stats',
        legId: stack.service.get(q.callId)?.customerLeg.legId ?? '',
      }),
      heard: caller.received.slice(before),
    });
    const { b, agentLeg, customerLeg, heard } = await until(
      'RTP both ways',
      async () => {
        const m = await measure();
        return m.b.packetsReceived > 50 &&
          m.agentLeg.packetsIn > 50 &&
          m.customerLeg.packetsIn > 100 &&
          m.heard.length > 50 &&
          energy(m.heard) > 1000
          ? m
          : undefined;
      },
      POLL,
    ).catch(measure);
    assert.ok(b.packetsReceived > 50, `browser inbound-rtp packetsReceived ${b.packetsReceived}`);
    assert.ok(agentLeg.packetsIn > 50, `worker WebRTC leg packetsIn ${agentLeg.packetsIn}`);
    assert.ok(agentLeg.rttMs === undefined || agentLeg.rttMs < 200);
    assert.ok(customerLeg.packetsIn > 100, `worker RTP leg packetsIn ${customerLeg.packetsIn}`);
    assert.ok(heard.length > 50, `SIP caller got ${heard.length} packets from the browser`);
    assert.ok(energy(heard) > 1000, 'the browser microphone tone reaches the SIP caller');
    const ended = new Promise((r) => bus.subscribe('call.ended', r));
    await inv.bye();
    await ended;
    await page.close();
    const rec = await stack.recordings.stereoWav(q.callId);
    assert.ok((rec?.legs.customer?.samples ?? 0) > 8000, 'customer (RTP) leg recorded');
    assert.ok((rec?.legs.agent?.samples ?? 0) > 8000, 'agent (WebRTC, PCMU) leg recorded');
  } finally {
    caller.close();
    inv.close();
  }
});

test('a web widget caller presses 2 in the browser and the IVR takes the billing branch; a browser agent then answers it', {
  timeout: 60_000,
}, async () => {
  const widget = await softphonePage(browser, origin);
  const agent = await softphonePage(browser, origin);
  try {
    const queued = nextQueued();
    await startSoftphone(widget, '/api/voice/webrtc/public/calls', '');
    // The keypad works once media is up: the widget is receiving the menu prompt.
    await until(
      'the widget to hear the menu prompt',
      async () => ((await browserStats(widget)).packetsReceived > 0 ? true : undefined),
      POLL,
    );
    assert.equal(await widget.evaluate('window.sess.sendDtmf("2")'), true);
    const q = await queued;
    assert.equal(q.queue, 'billing');
    assert.equal(q.attributes['dept'], 'billing');
    await startSoftphone(agent, '/api/voice/webrtc/sessions', 'agent', { callId: q.callId });
    const both = async () => ({ w: await browserStats(widget), a: await browserStats(agent) });
    const { w, a } = await until(
      'RTP to both browsers',
      async () => {
        const m = await both();
        return m.w.packetsReceived > 30 && m.a.packetsReceived > 30 ? m : undefined;
      },
      POLL,
    ).catch(both);
    assert.ok(
      w.packetsReceived > 30 && a.packetsReceived > 30,
      `widget ${w.packetsReceived}, agent ${a.packetsReceived}`,
    );
    const ended = new Promise((r) => bus.subscribe('call.ended', r));
    const sessionId = (await agent.evaluate('window.sess.sessionId')) as string;
    const del = await fetch(`${origin}/api/voice/webrtc/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { 'x-test-user': 'agent' },
    });
    assert.equal(del.status, 200);
    await ended;
    assert.equal(stack.service.get(q.callId), undefined);
  } finally {
    await widget.close();
    await agent.close();
  }
});

test('signalling refuses a bad offer, an unknown call, a stranger and a public flood with coded errors', async () => {
  const post = (path: string, body: unknown, user = 'agent') =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-user': user },
      body: JSON.stringify(body),
    });
  const bad = await post('/api/voice/webrtc/sessions', { sdp: 'hello there, not sdp' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'VOICE_WEBRTC_BAD_OFFER');
  const extra = await post('/api/voice/webrtc/sessions', { sdp: 'v=0 xxxxxxxx', evil: 1 });
  assert.equal(extra.status, 400);
  const unknown = await post('/api/voice/webrtc/sessions', {
    sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n',
    callId: '00000000-0000-4000-8000-000000000000',
  });
  assert.equal(unknown.status, 404);
  const stranger = await post('/api/voice/webrtc/sessions', { sdp: 'v=0\r\nm=audio 9 x 0\r\n' }, 'nobody');
  assert.equal(stranger.status, 401);
  let limited = 0;
  for (let i = 0; i < 10; i++) {
    const r = await post('/api/voice/webrtc/public/calls', { sdp: 'v=0 but no audio line' }, '');
    if (r.status === 429) limited++;
  }
  assert.ok(limited >= 3, `public calls rate-limited ${limited} times`);
});
