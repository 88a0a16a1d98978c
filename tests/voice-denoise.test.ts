import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MediaEngine } from '../appliance/src/voice/media/engine.ts';
import { decodeUlaw, encodeUlaw } from '../appliance/src/voice/media/g711.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { until } from './support/until.ts';
import { RtpPeer } from './webrtc-support.ts';

let engine: MediaEngine;
before(async () => {
  engine = new MediaEngine(() => undefined, await loadStreamSodium());
});
after(() => engine.close());

/** Steady line hiss as a phone would send it: μ-law frames of deterministic white noise. */
function hissFrame(i: number): Buffer {
  const pcm = new Int16Array(160);
  let x = 0x9e3779b9 ^ (i * 2654435761);
  for (let n = 0; n < 160; n++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    pcm[n] = Math.round(((x >>> 0) / 2 ** 32 - 0.5) * 3000);
  }
  return encodeUlaw(pcm);
}

const power = (frames: Buffer[]) => {
  const pcm = decodeUlaw(Buffer.concat(frames));
  return pcm.reduce((s, v) => s + v * v, 0) / Math.max(1, pcm.length);
};

/** A caller leg bridged to an agent leg; the caller hisses; resolves with the hiss power the agent got (dB below what was sent). */
async function bridgedHiss(id: string, denoise: boolean): Promise<number> {
  const caller = new RtpPeer();
  const agent = new RtpPeer();
  const callerPort = await caller.start();
  const agentPort = await agent.start();
  try {
    const open = async (legId: string, remote: number, d: boolean) =>
      (
        (await engine.handle({
          op: 'open',
          legId,
          kind: 'rtp',
          codec: 'pcmu',
          dtmfPayloadType: 101,
          bind: '127.0.0.1',
          remote: { host: '127.0.0.1', port: remote },
          denoise: d,
        })) as { port: number }
      ).port;
    const customerPort = await open(`${id}:customer`, callerPort, denoise);
    await open(`${id}:agent`, agentPort, false);
    await engine.handle({ op: 'bridge', a: `${id}:customer`, b: `${id}:agent` });
    caller.stream(customerPort, hissFrame);
    // Two seconds of hiss to learn the noise, then the last second is measured.
    await until('the agent to receive 150 frames', () => (agent.received.length >= 150 ? true : undefined), {
      timeoutMs: 20_000,
    });
    const sent = power(Array.from({ length: 50 }, (_, i) => hissFrame(i)));
    return 10 * Math.log10(sent / Math.max(1, power(agent.received.slice(-50))));
  } finally {
    caller.close();
    agent.close();
    await engine.handle({ op: 'close', legId: `${id}:customer` });
    await engine.handle({ op: 'close', legId: `${id}:agent` });
  }
}

test('a customer leg opened with denoise hands the bridged agent its line hiss more than 10 dB down; without it the hiss passes', {
  timeout: 60_000,
}, async () => {
  const cleaned = await bridgedHiss('ns-on', true);
  const raw = await bridgedHiss('ns-off', false);
  assert.ok(cleaned > 10, `suppressed by ${cleaned.toFixed(1)} dB`);
  assert.ok(Math.abs(raw) < 1, `unchanged without denoise (${raw.toFixed(1)} dB)`);
});
