import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, type FlowDefinition, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type CryptoFacade, MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { ensureTlsMaterial } from '../appliance/src/system/index.ts';
import {
  digestAuthorization,
  pickChallenge,
  SipFramer,
  SipFramingError,
  VoiceStack,
} from '../appliance/src/voice/index.ts';
import { freePort } from './support/ports.ts';
import { StreamClient } from './voice-support/stream-client.ts';
import { run, sipRequest, udpExchange } from './voice-support/util.ts';

const TESTDATA = fileURLToPath(new URL('../appliance/src/voice/testdata/', import.meta.url));

const FLOW: FlowDefinition = {
  id: 'inbound',
  name: 'TCP IVR',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: 'Press one.', options: { '1': 'bye' }, default: 'bye', timeoutMs: 30000 },
    bye: { type: 'hangup' },
  },
};

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let at: Awaited<ReturnType<VoiceStack['listen']>>;
let ca: string;
const bus = new EventBus();
const events: Array<{ type: string; data: Record<string, unknown> }> = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-voice-tcp-'));
  crypto = await openCrypto(join(dir, 'keys'));
  bus.subscribe('*', (e) => void events.push({ type: e.type, data: e.data as Record<string, unknown> }));
  const tls = await ensureTlsMaterial(dir, { hosts: [] });
  ca = tls.ca;
  stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-tcp-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: ['127.0.0.1'],
      allowedPrefixes: ['+86'],
      realm: 'branchline',
      inboundFlow: async () => FLOW,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
    guard: { maxRequestsPerWindow: 1_000_000 },
  });
  at = await stack.listen(0, '127.0.0.1', {
    tls: { port: 0, key: tls.key, cert: tls.cert },
    limits: { maxConnectionsPerSource: 4, idleMs: 10_000 },
  });
  await stack.accounts.create({
    username: 'phone7',
    password: 'correct horse battery',
    userId: 'u7',
    // Offers SHA-256 first (RFC 8760); accounts offer MD5 alone unless set.
    digestAlgorithms: ['SHA-256', 'MD5'],
  });
});

after(async () => {
  await stack.close();
  crypto.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

test('SipFramer splits a stream by Content-Length across chunk boundaries, answers pings, and rejects oversize or unframed input', () => {
  const a = sipRequest('OPTIONS', 'sip:x@127.0.0.1');
  const b = sipRequest('INVITE', 'sip:x@127.0.0.1', { sdp: true });
  const wire = Buffer.from(`\r\n\r\n${a}${b}`);
  const f = new SipFramer();
  const first = f.push(wire.subarray(0, 50));
  const rest = f.push(wire.subarray(50, wire.length - 3));
  const last = f.push(wire.subarray(wire.length - 3));
  assert.equal(first.pings, 1);
  assert.deepEqual(
    [...first.messages, ...rest.messages, ...last.messages].map((m) => m.toString('latin1')),
    [a, b],
  );
  assert.equal(f.buffered, 0);
  assert.throws(
    () => new SipFramer().push(Buffer.from('OPTIONS sip:x SIP/2.0\r\nVia: x\r\n\r\n')),
    SipFramingError,
  );
  assert.throws(() => new SipFramer({ maxBytes: 100 }).push(Buffer.alloc(200, 65)), SipFramingError);
  assert.throws(
    () => new SipFramer({ maxBytes: 500 }).push(Buffer.from('X x SIP/2.0\r\nContent-Length: 900\r\n\r\n')),
    SipFramingError,
  );
});

test('a sipp trunk call over TCP (-t t1) reaches the IVR and ends on the caller BYE', {
  timeout: 60_000,
}, async () => {
  assert.equal(at.tcp?.port, at.port, 'TCP shares the UDP port number');
  const started = events.length;
  await run(
    'sipp',
    [
      `127.0.0.1:${at.tcp?.port}`,
      ...['-sf', join(TESTDATA, 'tcp-call.xml'), '-t', 't1', '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(await freePort()), '-mp', String(await freePort())],
      ...['-timeout', '30s', '-nostdin', '-timeout_error'],
    ],
    { cwd: dir },
  );
  const mine = events.slice(started);
  const call = mine.find((e) => e.type === 'call.started');
  assert.ok(call, 'call.started published');
  for (
    let i = 0;
    i < 100 && !events.some((e) => e.type === 'call.ended' && e.data.callId === call.data.callId);
    i++
  )
    await new Promise((r) => setTimeout(r, 50));
  const ended = events.find((e) => e.type === 'call.ended' && e.data.callId === call.data.callId);
  assert.equal(ended?.data.reason, 'caller_bye');
});

test('a phone registers over TLS (verified against the local CA) with digest, and a trunk INVITE over TLS is answered and hung up', {
  timeout: 30_000,
}, async () => {
  assert.ok(at.tls);
  const c = await StreamClient.open('tls', at.tls, ca);
  try {
    c.send(sipRequest('REGISTER', 'sip:branchline', { user: 'phone7' }));
    const challenge = await c.waitFor(/^SIP\/2\.0 401/);
    const values = [...challenge.matchAll(/^WWW-Authenticate: (.*)$/gim)].map((m) => m[1] ?? '');
    const ch = pickChallenge(values);
    assert.equal(ch?.algorithm, 'SHA-256');
    if (!ch) return;
    const auth = digestAuthorization(ch, {
      method: 'REGISTER',
      uri: 'sip:branchline',
      username: 'phone7',
      password: 'correct horse battery',
    });
    c.send(sipRequest('REGISTER', 'sip:branchline', { user: 'phone7', auth }));
    await c.waitFor(/^SIP\/2\.0 200/);
    const b = stack.accounts.binding('phone7');
    assert.equal(b?.transport, 'tls');

    const invite = sipRequest('INVITE', 'sip:4000@127.0.0.1', { user: '+8613800000001', sdp: true });
    c.send(invite);
    const ok = await c.waitFor(/^SIP\/2\.0 200/);
    assert.match(ok, /^Contact: <sip:branchline@127\.0\.0\.1:\d+;transport=tls>/m);
    const callId = /^Call-ID: (.*)$/m.exec(invite)?.[1] ?? '';
    const toTag = /^To: .*;tag=([^\s;]+)/m.exec(ok)?.[1] ?? '';
    assert.ok(stack.service.list().some((x) => x.state === 'ivr'));
    const bye = [
      'BYE sip:branchline@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKbye1',
      /^From: .*$/m.exec(invite)?.[0] ?? '',
      `To: <sip:+8613800000001@127.0.0.1>;tag=${toTag}`,
      `Call-ID: ${callId}`,
      'CSeq: 2 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    c.send(bye);
    const byeOk = await c.waitFor(/^SIP\/2\.0 200[\s\S]*CSeq: 2 BYE/);
    assert.match(byeOk, /Via: SIP\/2\.0\/TLS/);
    for (let i = 0; i < 60 && stack.service.list().length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(stack.service.list().length, 0);
  } finally {
    c.close();
  }
});

test('garbage over TCP closes that connection; the appliance still answers OPTIONS over UDP and a new TCP connection', async () => {
  const before = stack.transport.stats.streamsClosed;
  const bad = await StreamClient.open('tcp', { host: '127.0.0.1', port: at.tcp?.port ?? 0 });
  bad.send('GARBAGE \u0000\u0001 not sip at all\r\nfoo\r\n\r\n');
  assert.equal(await bad.waitClosed(), true, 'garbage closes the connection');
  const huge = await StreamClient.open('tcp', { host: '127.0.0.1', port: at.tcp?.port ?? 0 });
  huge.send(Buffer.alloc(40_000, 0x41));
  assert.equal(await huge.waitClosed(), true, 'an endless header closes the connection');
  assert.ok(stack.transport.stats.streamsClosed >= before + 2);

  const udp = await udpExchange('127.0.0.1', at, sipRequest('OPTIONS', 'sip:branchline@127.0.0.1'));
  assert.match(udp ?? '', /^SIP\/2\.0 200/);
  const good = await StreamClient.open('tcp', { host: '127.0.0.1', port: at.tcp?.port ?? 0 });
  try {
    good.send(sipRequest('OPTIONS', 'sip:branchline@127.0.0.1'));
    assert.match(await good.waitFor(/^SIP\/2\.0/), /^SIP\/2\.0 200/);
  } finally {
    good.close();
  }
});

test('more connections from one source than the limit are refused, and a blocked source cannot connect', async () => {
  const port = at.tcp?.port ?? 0;
  const open = await Promise.all(
    [1, 2, 3, 4].map(() => StreamClient.open('tcp', { host: '127.0.0.1', port })),
  );
  const fifth = await StreamClient.open('tcp', { host: '127.0.0.1', port });
  assert.equal(await fifth.waitClosed(), true, 'the fifth connection is closed');
  for (const c of open) c.close();
  await new Promise((r) => setTimeout(r, 100));
  stack.guard.block('127.0.0.2');
  try {
    const blocked = await StreamClient.open('tcp', { host: '127.0.0.1', port }).then(async (c) => {
      // 127.0.0.1 itself is not blocked: it still gets answers.
      c.send(sipRequest('OPTIONS', 'sip:branchline@127.0.0.1'));
      const r = await c.waitFor(/^SIP\/2\.0/);
      c.close();
      return r;
    });
    assert.match(blocked, /^SIP\/2\.0 200/);
    const { connect } = await import('node:net');
    const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    s.on('error', () => undefined);
    const closed = await new Promise<boolean>((r) => {
      s.on('close', () => r(true));
      setTimeout(() => r(false), 3000);
    });
    assert.equal(closed, true, 'a blocked source is disconnected at once');
  } finally {
    stack.guard.unblock('127.0.0.2');
  }
});
