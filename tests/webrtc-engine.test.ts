import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MediaEngine } from '../appliance/src/voice/media/engine.ts';
import { linearToUlaw } from '../appliance/src/voice/media/g711.ts';
import type { MediaEvent } from '../appliance/src/voice/media/protocol.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { RtpPeer } from './webrtc-support.ts';

let engine: MediaEngine;
const events: MediaEvent[] = [];
const peers: RtpPeer[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SILENCE = Buffer.alloc(160, 0xff);
const tone = (i: number) =>
  Buffer.from(
    Array.from({ length: 160 }, (_, k) =>
      linearToUlaw(9000 * Math.sin(((i * 160 + k) * 2 * Math.PI * 700) / 8000)),
    ),
  );
/** Mean absolute amplitude of what a peer received since `from`. */
function level(p: RtpPeer, from: number): number {
  const frames = p.received.slice(from);
  let sum = 0;
  let n = 0;
  for (const f of frames)
    for (const b of f) {
      const u = ~b & 0xff;
      sum += ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
      n++;
    }
  return n ? sum / n : 0;
}

async function leg(legId: string, send: (i: number) => Buffer): Promise<RtpPeer> {
  const p = new RtpPeer();
  const port = await p.start();
  peers.push(p);
  const { port: legPort } = (await engine.handle({
    op: 'open',
    legId,
    kind: 'rtp',
    codec: 'pcmu',
    dtmfPayloadType: 101,
    bind: '127.0.0.1',
    remote: { host: '127.0.0.1', port },
  })) as { port: number };
  p.stream(legPort, send);
  return p;
}

before(async () => {
  engine = new MediaEngine((e) => events.push(e), await loadStreamSodium(), { qualityIntervalMs: 400 });
});
after(() => {
  for (const p of peers) p.close();
  engine.close();
});

test('supervisor modes: whisper reaches only the agent, listen reaches nobody, barge reaches both', {
  timeout: 20_000,
}, async () => {
  const customer = await leg('c1:customer', () => SILENCE);
  const agent = await leg('c1:agent', () => SILENCE);
  await leg('c1:supervisor', tone);
  await engine.handle({ op: 'bridge', a: 'c1:customer', b: 'c1:agent' });
  const measure = async (mode: 'listen' | 'whisper' | 'barge') => {
    await engine.handle({
      op: 'supervise',
      customer: 'c1:customer',
      agent: 'c1:agent',
      supervisor: 'c1:supervisor',
      mode,
    });
    await sleep(200);
    const c0 = customer.received.length;
    const a0 = agent.received.length;
    await sleep(700);
    assert.ok(
      customer.received.length - c0 > 20 && agent.received.length - a0 > 20,
      'both legs keep receiving',
    );
    return { customer: level(customer, c0), agent: level(agent, a0) };
  };
  const whisper = await measure('whisper');
  assert.ok(whisper.agent > 2000, `agent hears the supervisor in whisper (${whisper.agent})`);
  assert.ok(whisper.customer < 50, `customer does not hear the whisper (${whisper.customer})`);
  const listen = await measure('listen');
  assert.ok(
    listen.agent < 50 && listen.customer < 50,
    `nobody hears a listening supervisor (${JSON.stringify(listen)})`,
  );
  const barge = await measure('barge');
  assert.ok(barge.agent > 2000 && barge.customer > 2000, `both hear a barge (${JSON.stringify(barge)})`);
  await engine.handle({
    op: 'supervise',
    customer: 'c1:customer',
    agent: 'c1:agent',
    supervisor: 'c1:supervisor',
    mode: 'off',
  });
  for (const id of ['c1:customer', 'c1:agent', 'c1:supervisor'])
    await engine.handle({ op: 'close', legId: id });
});

test('a three-way conference mixes each participant to the other two', { timeout: 10_000 }, async () => {
  const a = await leg('k:a', tone);
  const b = await leg('k:b', () => SILENCE);
  const c = await leg('k:c', () => SILENCE);
  await engine.handle({ op: 'conference', legs: ['k:a', 'k:b', 'k:c'] });
  await sleep(200);
  const [a0, b0, c0] = [a.received.length, b.received.length, c.received.length];
  await sleep(600);
  assert.ok(level(b, b0) > 2000 && level(c, c0) > 2000, 'b and c hear a');
  assert.ok(level(a, a0) < 50, 'a does not hear itself');
  for (const id of ['k:a', 'k:b', 'k:c']) await engine.handle({ op: 'close', legId: id });
});

test('a leg losing a quarter of its packets raises a quality event with an E-model MOS below the threshold', {
  timeout: 10_000,
}, async () => {
  const p = new RtpPeer();
  await p.start();
  peers.push(p);
  const { port } = (await engine.handle({
    op: 'open',
    legId: 'q:customer',
    kind: 'rtp',
    codec: 'pcmu',
    dtmfPayloadType: 101,
    bind: '127.0.0.1',
  })) as { port: number };
  p.stream(port, () => SILENCE, { drop: (i) => i % 4 === 3 });
  // Quality events mark transitions: the degraded one comes from the first window in which
  // loss pushed the MOS under the threshold, so its loss figure depends on that window.
  const degraded = () => events.find((e) => e.ev === 'quality' && e.legId === 'q:customer');
  for (let i = 0; i < 80 && !degraded(); i++) await sleep(100);
  const q = degraded();
  assert.ok(q && q.ev === 'quality', 'a quality event');
  assert.equal(q.state, 'degraded');
  assert.ok(q.mos < 3.6 && q.lossPct > 10, `mos ${q.mos} loss ${q.lossPct}`);
  await sleep(1000);
  const stats = (await engine.handle({ op: 'stats', legId: 'q:customer' })) as { lost: number; mos: number };
  assert.ok(stats.lost > 5);
  await engine.handle({ op: 'close', legId: 'q:customer' });
});
