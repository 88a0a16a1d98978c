import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type OpusScriptType from 'opusscript';
import {
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack, WebRtcSessions } from '../appliance/src/voice/index.ts';
import { MediaEngine } from '../appliance/src/voice/media/engine.ts';
import { linearToUlaw, ulawToLinear } from '../appliance/src/voice/media/g711.ts';
import {
  OPUS_BITRATE_LOSSY,
  OPUS_BITRATE_NORMAL,
  OpusTranscoder,
} from '../appliance/src/voice/media/opus-transcoder.ts';
import type { MediaEvent } from '../appliance/src/voice/media/protocol.ts';
import { Downsampler } from '../appliance/src/voice/media/resample.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { toneShare } from './voice-support/util.ts';
import { RtpPeer } from './webrtc-support.ts';

const OpusScript = createRequire(import.meta.url)('opusscript') as typeof OpusScriptType;

let engine: MediaEngine;
const events: MediaEvent[] = [];
before(async () => {
  engine = new MediaEngine((e) => events.push(e), await loadStreamSodium());
});
after(() => engine.close());

test('the 48 kHz → 8 kHz decimator keeps a 1 kHz tone and suppresses a 6 kHz one', () => {
  const tone = (f: number) =>
    Int16Array.from({ length: 48000 }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * f * i) / 48000)));
  const rms = (a: Int16Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  const keep = new Downsampler().process(tone(1000));
  const stop = new Downsampler().process(tone(6000));
  assert.equal(keep.length, 8000);
  assert.ok(rms(keep.subarray(100)) > 6500, `1 kHz passes (rms ${rms(keep).toFixed(0)})`);
  assert.ok(
    rms(stop.subarray(100)) < 300,
    `6 kHz (would alias to 2 kHz) is filtered (rms ${rms(stop).toFixed(0)})`,
  );
});

test('the Opus encoder drops to 16 kbit/s above 5 % reported loss and returns after the loss clears', () => {
  const tx = new OpusTranscoder();
  try {
    assert.equal(tx.stats().bitrate, OPUS_BITRATE_NORMAL);
    assert.equal(tx.stats().fec && tx.stats().dtx, true);
    tx.adapt(12);
    assert.equal(tx.stats().bitrate, OPUS_BITRATE_LOSSY);
    tx.adapt(0);
    tx.adapt(0);
    assert.equal(tx.stats().bitrate, OPUS_BITRATE_LOSSY, 'one or two clean reports are not enough');
    tx.adapt(0.5);
    assert.equal(tx.stats().bitrate, OPUS_BITRATE_NORMAL);
    const packets = tx.encode(new Int16Array(240));
    assert.equal(packets.length, 1, 'a 30 ms G.711 packet gives one 20 ms Opus packet and keeps the rest');
    assert.equal(tx.encode(new Int16Array(80)).length, 1);
  } finally {
    tx.close();
  }
});

/** A "browser" that offers Opus only (werift) and sends/decodes real Opus with libopus. */
class OpusBrowser {
  pc = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })] },
  });
  heard: Int16Array[] = [];
  #enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  #dec = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  #tx: RTCRtpTransceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
  #timer: NodeJS.Timeout | undefined;
  connected = new Promise<void>((resolve) =>
    this.pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') resolve();
    }),
  );

  async offer(): Promise<string> {
    this.pc.onTrack.subscribe((track: MediaStreamTrack) =>
      track.onReceiveRtp.subscribe((rtp) => {
        const raw = this.#dec.decode(rtp.payload);
        this.heard.push(new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
      }),
    );
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await new Promise<void>((resolve) => {
      if (this.pc.iceGatheringState === 'complete') resolve();
      this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    });
    return this.pc.localDescription?.sdp ?? '';
  }

  /** Streams a tone as 20 ms Opus packets. */
  sendTone(freq: number): void {
    const pt = this.#tx.codecs.find((c) => /opus/i.test(c.mimeType))?.payloadType ?? 111;
    let n = 0;
    this.#timer = setInterval(() => {
      const pcm = Int16Array.from({ length: 960 }, (_, k) =>
        Math.round(9000 * Math.sin(((n * 960 + k) * 2 * Math.PI * freq) / 48000)),
      );
      const payload = this.#enc.encode(Buffer.from(pcm.buffer), 960);
      const header = new RtpHeader({ payloadType: pt, sequenceNumber: (n + 1) & 0xffff, timestamp: n * 960 });
      n++;
      this.#tx.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
    }, 20);
  }

  /** The last `frames` decoded packets as one 48 kHz buffer. */
  lastHeard(frames: number): Int16Array {
    const parts = this.heard.slice(-frames);
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.pc.close();
    this.#enc.delete();
    this.#dec.delete();
  }
}

const ulawTone = (freq: number, samples: number) =>
  Buffer.from(
    Array.from({ length: samples }, (_, k) => linearToUlaw(9000 * Math.sin((k * 2 * Math.PI * freq) / 8000))),
  );

test('an Opus-only WebRTC peer and a G.711 RTP leg hear each other through the transcoder', {
  timeout: 30_000,
}, async () => {
  const browser = new OpusBrowser();
  const offer = await browser.offer();
  assert.doesNotMatch(offer, /PCMU|PCMA/, 'the peer offers Opus only');
  const sip = new RtpPeer();
  const rtpPort = await sip.start();
  try {
    const { sdp, codec } = (await engine.handle({
      op: 'open',
      legId: 'o:browser',
      kind: 'webrtc',
      offer,
      codecs: ['pcmu', 'opus'],
      hosts: ['127.0.0.1'],
    })) as { sdp: string; codec: string };
    assert.equal(codec, 'opus');
    const fmtp = /a=fmtp:\d+ (.*)/.exec(sdp)?.[1] ?? '';
    assert.match(fmtp, /useinbandfec=1/);
    assert.match(fmtp, /usedtx=1/);
    await browser.pc.setRemoteDescription({ type: 'answer', sdp });
    const { port } = (await engine.handle({
      op: 'open',
      legId: 'o:sip',
      kind: 'rtp',
      codec: 'pcmu',
      dtmfPayloadType: 101,
      bind: '127.0.0.1',
      remote: { host: '127.0.0.1', port: rtpPort },
    })) as { port: number };
    await engine.handle({ op: 'bridge', a: 'o:browser', b: 'o:sip' });
    const tone1k = ulawTone(1000, 8000);
    sip.stream(port, (i) => tone1k.subarray((i % 50) * 160, (i % 50) * 160 + 160));
    await browser.connected;
    browser.sendTone(440);
    const measure = () => {
      const sipPcm = Int16Array.from(Buffer.concat(sip.received.slice(-50)), (b) => ulawToLinear(b));
      const heard = browser.lastHeard(50);
      return {
        s440: toneShare(sipPcm, 440, 8000),
        s1000: toneShare(sipPcm, 1000, 8000),
        b1000: toneShare(heard, 1000, 48000),
        b440: toneShare(heard, 440, 48000),
      };
    };
    // Polled rather than slept: under load the first packets take longer to flow both ways.
    const { s440, s1000, b1000, b440 } = await until(
      'audio both ways',
      () => {
        const m = measure();
        return sip.received.length > 40 && browser.heard.length > 40 && m.s440 > 0.8 && m.b1000 > 0.8
          ? m
          : undefined;
      },
      { timeoutMs: 20_000 },
    ).catch(() => measure());
    assert.ok(sip.received.length > 40, `the SIP leg received ${sip.received.length} frames`);
    assert.ok(
      s440 > 0.8 && s1000 < 0.2,
      `SIP hears the browser's 440 Hz (440: ${s440.toFixed(2)}, 1000: ${s1000.toFixed(2)})`,
    );
    assert.ok(browser.heard.length > 40, `the browser decoded ${browser.heard.length} Opus packets`);
    assert.ok(
      b1000 > 0.8 && b440 < 0.2,
      `the browser hears SIP's 1 kHz (1000: ${b1000.toFixed(2)}, 440: ${b440.toFixed(2)})`,
    );
    const stats = (await engine.handle({ op: 'stats', legId: 'o:browser' })) as {
      transcoder?: { on: boolean; decoded: number; encoded: number };
    };
    assert.equal(stats.transcoder?.on, true, 'the media worker reports the transcoder on');
    assert.ok((stats.transcoder?.decoded ?? 0) > 40 && (stats.transcoder?.encoded ?? 0) > 40);
    const plain = (await engine.handle({ op: 'stats', legId: 'o:sip' })) as { transcoder?: unknown };
    assert.equal(plain.transcoder, undefined, 'the G.711 leg itself is not transcoded');
  } finally {
    sip.close();
    await engine.handle({ op: 'close', legId: 'o:browser' });
    await engine.handle({ op: 'close', legId: 'o:sip' });
    await browser.close();
  }
});

test('through the appliance: an Opus-only web caller hears queue music, then talks to a G.711 SIP agent both ways', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-voice-opus-'));
  const crypto = await openCrypto(join(dir, 'keys'));
  const bus = new EventBus();
  const logger = createLogger('voice-opus-test');
  const stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger,
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: ['127.0.0.1'],
      allowedPrefixes: ['+86'],
      realm: 'branchline',
      inboundFlow: async () => ({
        id: 'inbound',
        name: 'Queue',
        language: 'en',
        start: 'q',
        nodes: { q: { type: 'enqueue', queue: 'sales' } },
      }),
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
  });
  const sipAt = await stack.listen(0, '127.0.0.1');
  const sessions = new WebRtcSessions({
    worker: stack.worker,
    voice: stack.service,
    bus,
    logger,
    hosts: ['127.0.0.1'],
  });
  await stack.accounts.create({ username: 'agent1', password: 'correct horse battery', userId: 'u-agent' });
  const agent = new AgentUa(sipAt, {
    user: 'agent1',
    password: 'correct horse battery',
    audio: ulawTone(1000, 32000),
  });
  await agent.start();
  const browser = new OpusBrowser();
  try {
    assert.equal(await agent.register(), 200);
    const queued = new Promise<string>((resolve) =>
      bus.subscribe('call.queued', (e) => resolve(e.data.callId)),
    );
    const opened = await sessions.openPublic(await browser.offer(), { source: 'test' });
    await browser.pc.setRemoteDescription({ type: 'answer', sdp: opened.sdp });
    await browser.connected;
    browser.sendTone(440);
    const callId = await queued;
    // Polled rather than slept: the announcement is synthesised first, which takes longer under load.
    const rms = (pcm: ArrayLike<number>) =>
      Math.sqrt(Array.from(pcm).reduce((s, v) => s + v * v, 0) / Math.max(1, pcm.length));
    const waitRms = await until(
      'the queued Opus caller to hear the announcement',
      () => {
        const r = rms(browser.lastHeard(50));
        return browser.heard.length > 40 && r > 300 ? r : undefined;
      },
      { timeoutMs: 20_000 },
    );
    assert.ok(waitRms > 300, `the queued Opus caller hears the announcement (rms ${waitRms.toFixed(0)})`);

    assert.equal(await stack.service.connectAgent(callId, 'u-agent'), true);
    const share = () => ({
      a440: toneShare(
        Int16Array.from(Buffer.concat(agent.received.slice(-50)), (b) => ulawToLinear(b)),
        440,
        8000,
      ),
      b1000: toneShare(browser.lastHeard(50), 1000, 48000),
    });
    const both = await until(
      'audio both ways',
      () => {
        const s = share();
        return s.a440 > 0.8 && s.b1000 > 0.8 ? s : undefined;
      },
      { timeoutMs: 20_000 },
    ).catch(() => share());
    assert.ok(
      both.a440 > 0.8,
      `the G.711 agent hears the Opus caller (440 Hz share ${both.a440.toFixed(2)})`,
    );
    assert.ok(both.b1000 > 0.8, `the Opus caller hears the agent (1 kHz share ${both.b1000.toFixed(2)})`);
    const stats = (await sessions.stats(opened.sessionId)) as {
      transcoder?: { on: boolean; encoded: number };
    };
    assert.equal(stats.transcoder?.on, true, 'the media worker stats show the transcoder on');
  } finally {
    await browser.close();
    agent.close();
    await sessions.close();
    await stack.close();
    crypto.close();
    bus.close();
    await rm(dir, { recursive: true, force: true });
  }
});
