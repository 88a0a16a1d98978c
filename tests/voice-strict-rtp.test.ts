import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MediaEngine } from '../appliance/src/voice/media/engine.ts';
import { decodeUlaw, linearToUlaw } from '../appliance/src/voice/media/g711.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { until } from './support/until.ts';
import { RtpPeer } from './webrtc-support.ts';

let engine: MediaEngine;
before(async () => {
  engine = new MediaEngine(() => undefined, await loadStreamSodium());
});
after(() => engine.close());

const SILENCE = Buffer.alloc(160, 0xff);
const tone = (i: number) =>
  Buffer.from(
    Array.from({ length: 160 }, (_, k) => linearToUlaw(12000 * Math.sin(((i * 160 + k) * 2 * Math.PI) / 8))),
  );
const loudFrames = (frames: Buffer[]) =>
  frames.filter((f) => decodeUlaw(f).some((v) => Math.abs(v) > 2000)).length;

async function open(legId: string, remote: number | undefined): Promise<number> {
  const r = (await engine.handle({
    op: 'open',
    legId,
    kind: 'rtp',
    codec: 'pcmu',
    dtmfPayloadType: 101,
    bind: '127.0.0.1',
    ...(remote ? { remote: { host: '127.0.0.1', port: remote } } : {}),
  })) as { port: number };
  return r.port;
}

test('strict RTP: a stream from another address aimed at a call leg never reaches the bridged agent; the caller the SDP names does', {
  timeout: 60_000,
}, async () => {
  const caller = new RtpPeer();
  const intruder = new RtpPeer();
  const agent = new RtpPeer();
  const callerPort = await caller.start();
  await intruder.start();
  const agentPort = await agent.start();
  try {
    const customerPort = await open('s:customer', callerPort);
    await open('s:agent', agentPort);
    await engine.handle({ op: 'bridge', a: 's:customer', b: 's:agent' });
    // The intruder starts first: even so, the address in the SDP wins.
    intruder.stream(customerPort, tone);
    await new Promise((r) => setTimeout(r, 200));
    caller.stream(customerPort, () => SILENCE);
    await until('100 frames at the agent', () => (agent.received.length >= 100 ? true : undefined), {
      timeoutMs: 20_000,
    });
    const settled = agent.received.slice(-60);
    assert.equal(loudFrames(settled), 0, 'no intruder audio once the named caller sends');
    const stats = (await engine.handle({ op: 'stats', legId: 's:customer' })) as { packetsIn?: number };
    assert.ok((stats.packetsIn ?? 0) > 0);
  } finally {
    caller.close();
    intruder.close();
    agent.close();
    await engine.handle({ op: 'close', legId: 's:customer' });
    await engine.handle({ op: 'close', legId: 's:agent' });
  }
});

test('strict RTP: a leg that was given no address latches to the first source (a phone behind NAT) and ignores a second one', {
  timeout: 60_000,
}, async () => {
  const phone = new RtpPeer();
  const intruder = new RtpPeer();
  const agent = new RtpPeer();
  await phone.start();
  await intruder.start();
  const agentPort = await agent.start();
  try {
    const legPort = await open('n:customer', undefined);
    await open('n:agent', agentPort);
    await engine.handle({ op: 'bridge', a: 'n:customer', b: 'n:agent' });
    phone.stream(legPort, () => SILENCE);
    await until('the phone is latched', () => (agent.received.length >= 10 ? true : undefined), {
      timeoutMs: 20_000,
    });
    intruder.stream(legPort, tone);
    const from = agent.received.length;
    await until(
      '60 more frames at the agent',
      () => (agent.received.length >= from + 60 ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
    assert.equal(loudFrames(agent.received.slice(from)), 0, 'the second source is dropped');
  } finally {
    phone.close();
    intruder.close();
    agent.close();
    await engine.handle({ op: 'close', legId: 'n:customer' });
    await engine.handle({ op: 'close', legId: 'n:agent' });
  }
});
