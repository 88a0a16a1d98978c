import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MediaEngine } from '../appliance/src/voice/media/engine.ts';
import { linearToUlaw } from '../appliance/src/voice/media/g711.ts';
import type { MediaEvent } from '../appliance/src/voice/media/protocol.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { until } from './support/until.ts';
import { RtpPeer } from './webrtc-support.ts';

let engine: MediaEngine;
const events: MediaEvent[] = [];
const peers: RtpPeer[] = [];
const SILENCE = Buffer.alloc(160, 0xff);
const tone = (i: number) =>
  Buffer.from(
    Array.from({ length: 160 }, (_, k) =>
      linearToUlaw(9000 * Math.sin(((i * 160 + k) * 2 * Math.PI * 700) / 8000)),
    ),
  );
/** Under CI load (2 cores, two files at once) frames flow late; a deadline, not a sleep, bounds the wait. */
const POLL = { timeoutMs: 15_000, everyMs: 50 };

/**
 * Resolves once every peer has received `frames` more frames: after a mixing change the
 * frames still in flight have been delivered, whatever the load, so a window can start.
 */
async function framesFlowed(legs: RtpPeer[], frames: number): Promise<void> {
  const from = legs.map((p) => p.received.length);
  await until(
    `${frames} frames on every leg`,
    () => (legs.every((p, i) => p.received.length - (from[i] ?? 0) >= frames) ? true : undefined),
    POLL,
  ).catch(() => undefined);
}

/**
 * Polls `measure` until `ok` holds, never before `minMs` have passed: a window that also carries
 * a negative check is at least as long as the fixed sleep it replaces. Returns the last
 * measurement either way, so the unchanged asserts report the values on a timeout.
 */
function settled<T>(measure: () => T, ok: (m: T) => boolean, minMs: number): Promise<T> {
  const from = Date.now();
  return until(
    'the measurement window',
    () => {
      if (Date.now() < from + minMs) return undefined;
      const m = measure();
      return ok(m) ? m : undefined;
    },
    POLL,
  ).catch(() => measure());
}

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
  timeout: 60_000,
}, async () => {
  const customer = await leg('c1:customer', () => SILENCE);
  const agent = await leg('c1:agent', () => SILENCE);
  await leg('c1:supervisor', tone);
  await engine.handle({ op: 'bridge', a: 'c1:customer', b: 'c1:agent' });
  /** `hears` names the legs that must hear the supervisor: the window lasts until they do. */
  const measure = async (mode: 'listen' | 'whisper' | 'barge', hears: Array<'customer' | 'agent'>) => {
    await engine.handle({
      op: 'supervise',
      customer: 'c1:customer',
      agent: 'c1:agent',
      supervisor: 'c1:supervisor',
      mode,
    });
    await framesFlowed([customer, agent], 10);
    const c0 = customer.received.length;
    const a0 = agent.received.length;
    const m = await settled(
      () => ({
        got: Math.min(customer.received.length - c0, agent.received.length - a0),
        customer: level(customer, c0),
        agent: level(agent, a0),
      }),
      (x) => x.got > 20 && hears.every((leg) => x[leg] > 2000),
      700,
    );
    assert.ok(m.got > 20, 'both legs keep receiving');
    return { customer: m.customer, agent: m.agent };
  };
  const whisper = await measure('whisper', ['agent']);
  assert.ok(whisper.agent > 2000, `agent hears the supervisor in whisper (${whisper.agent})`);
  assert.ok(whisper.customer < 50, `customer does not hear the whisper (${whisper.customer})`);
  const listen = await measure('listen', []);
  assert.ok(
    listen.agent < 50 && listen.customer < 50,
    `nobody hears a listening supervisor (${JSON.stringify(listen)})`,
  );
  const barge = await measure('barge', ['agent', 'customer']);
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

test('a three-way conference mixes each participant to the other two', { timeout: 30_000 }, async () => {
  const a = await leg('k:a', tone);
  const b = await leg('k:b', () => SILENCE);
  const c = await leg('k:c', () => SILENCE);
  await engine.handle({ op: 'conference', legs: ['k:a', 'k:b', 'k:c'] });
  await framesFlowed([a, b, c], 10);
  const [a0, b0, c0] = [a.received.length, b.received.length, c.received.length];
  const m = await settled(
    () => ({ a: level(a, a0), b: level(b, b0), c: level(c, c0) }),
    (x) => x.b > 2000 && x.c > 2000,
    600,
  );
  assert.ok(m.b > 2000 && m.c > 2000, 'b and c hear a');
  assert.ok(m.a < 50, 'a does not hear itself');
  for (const id of ['k:a', 'k:b', 'k:c']) await engine.handle({ op: 'close', legId: id });
});

test('a leg losing a quarter of its packets raises a quality event with an E-model MOS below the threshold', {
  timeout: 40_000,
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
  const q = await until('a quality event', degraded, { timeoutMs: 20_000, everyMs: 100 }).catch(() =>
    degraded(),
  );
  assert.ok(q && q.ev === 'quality', 'a quality event');
  assert.equal(q.state, 'degraded');
  assert.ok(q.mos < 3.6 && q.lossPct > 10, `mos ${q.mos} loss ${q.lossPct}`);
  const stats = () =>
    engine.handle({ op: 'stats', legId: 'q:customer' }) as Promise<{ lost: number; mos: number }>;
  const lost = await until(
    'lost packets counted',
    async () => {
      const s = await stats();
      return s.lost > 5 ? s.lost : undefined;
    },
    POLL,
  ).catch(async () => (await stats()).lost);
  assert.ok(lost > 5);
  await engine.handle({ op: 'close', legId: 'q:customer' });
});
