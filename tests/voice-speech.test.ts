import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventBus } from '../appliance/src/events/index.ts';
import {
  EspeakTts,
  type FlowDefinition,
  PocketsphinxAsr,
  ulaw8kToPcm16k,
} from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type CryptoFacade, MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack } from '../appliance/src/voice/index.ts';
import { run } from './voice-support/util.ts';
import { RtpPeer, sipInvite } from './webrtc-support.ts';

const FLOW: FlowDefinition = {
  id: 'speech',
  name: 'Speech IVR',
  language: 'en',
  start: 'ask',
  intents: {
    cancel: ['i want to cancel my order', 'cancel my order'],
    status: ['where is my order', 'order status'],
    agent: ['i want to talk to an agent', 'agent'],
  },
  nodes: {
    ask: {
      type: 'listen',
      intents: ['cancel', 'status', 'agent'],
      next: { cancel: 'c', status: 's', agent: 'a' },
      fallback: 'f',
      timeoutMs: 8000,
    },
    c: { type: 'enqueue', queue: 'cancellations' },
    s: { type: 'enqueue', queue: 'status' },
    a: { type: 'enqueue', queue: 'general' },
    f: { type: 'enqueue', queue: 'fallback' },
  },
};

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let sip: { host: string; port: number };
const bus = new EventBus();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-voice-speech-'));
  crypto = await openCrypto(join(dir, 'keys'));
  stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-speech-test'),
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
    guard: { maxRequestsPerWindow: 1_000_000, maxAuthFailures: 10 },
  });
  sip = await stack.listen(0, '127.0.0.1');
});

after(async () => {
  await stack.close();
  crypto.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A trusted-trunk SIP call (PCMU/8000) whose RTP carries espeak-ng saying
 * `text` once, after half a second of silence, into the appliance's media
 * worker; resolves with the queue the IVR put the call in.
 */
async function callSaying(name: string, text: string): Promise<{ queue: string; intent: unknown }> {
  const wav = join(dir, `${name}.wav`);
  await run('espeak-ng', ['-v', 'en', '-w', wav, '--', text]);
  // What a G.711 phone sends: 8 kHz μ-law.
  await run('sox', [wav, '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'ul', `${wav}.ul`]);
  const speech = await readFile(`${wav}.ul`);
  const queued = new Promise<{ queue: string; intent: unknown }>((resolve) => {
    const off = bus.subscribe('call.queued', (e) => {
      off();
      resolve({ queue: e.data.queue, intent: e.data.attributes.intent });
    });
  });
  // Speak only once the IVR is listening, as a caller would after the prompt:
  // under load the flow can reach its listen node later than any fixed lead.
  let listening = false;
  const request = stack.worker.request.bind(stack.worker);
  stack.worker.request = (async (cmd: Parameters<typeof request>[0]) => {
    const reply = await request(cmd);
    if (cmd.op === 'capture') listening = true;
    return reply;
  }) as typeof stack.worker.request;
  const caller = new RtpPeer();
  const inv = await sipInvite(sip, await caller.start());
  try {
    const lead = 25; // frames of silence before the words
    const silence = Buffer.alloc(160, 0xff);
    let from: number | undefined;
    caller.stream(
      inv.mediaPort,
      (i) => {
        if (listening) from ??= i + lead;
        const off = from === undefined ? -1 : (i - from) * 160;
        return off >= 0 && off < speech.length
          ? Buffer.concat([speech.subarray(off, off + 160), silence]).subarray(0, 160)
          : silence;
      },
      // Under load this process can stall; the words must still arrive whole, as a phone sends them.
      { catchUp: true },
    );
    return await queued;
  } finally {
    stack.worker.request = request;
    await inv.bye();
    caller.close();
    inv.close();
  }
}

test('espeak-ng saying "I want to cancel my order" over a G.711 SIP leg (RTP into the media worker) takes the cancel branch; out-of-grammar speech takes the fallback', {
  timeout: 90_000,
}, async () => {
  const cancel = await callSaying('cancel', 'I want to cancel my order');
  assert.deepEqual(cancel, { queue: 'cancellations', intent: 'cancel' });
  const other = await callSaying('weather', 'the weather is lovely in the mountains today');
  assert.deepEqual(other, { queue: 'fallback', intent: undefined });
});

test('ulaw8kToPcm16k() doubles the sample count and folds energy above 4 kHz (no anti-imaging filter)', async () => {
  // A 1 kHz tone at 8 kHz μ-law; after folding, its 7 kHz image must carry as much energy as the tone.
  const ulaw = Buffer.alloc(800);
  const encode = (x: number) => {
    const sign = x < 0 ? 0x80 : 0;
    let m = Math.min(Math.abs(x), 32635) + 0x84;
    let e = 7;
    for (let mask = 0x4000; (m & mask) === 0 && e > 0; mask >>= 1) e--;
    const mant = (m >> (e + 3)) & 0x0f;
    m = ~(sign | (e << 4) | mant) & 0xff;
    return m;
  };
  for (let i = 0; i < ulaw.length; i++) ulaw[i] = encode(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  const pcm = await ulaw8kToPcm16k(ulaw);
  assert.equal(pcm.length, ulaw.length * 4);
  const x = Array.from({ length: pcm.length / 2 }, (_v, i) => pcm.readInt16LE(2 * i));
  const power = (f: number) => {
    let re = 0;
    let im = 0;
    for (let n = 0; n < x.length; n++) {
      re += (x[n] ?? 0) * Math.cos((2 * Math.PI * f * n) / 16000);
      im += (x[n] ?? 0) * Math.sin((2 * Math.PI * f * n) / 16000);
    }
    return re * re + im * im;
  };
  const tone = power(1000);
  assert.ok(tone > 0);
  assert.ok(power(7000) / tone > 0.9, 'the image at 7 kHz carries the tone’s energy');
  assert.ok(power(4000) / tone < 0.01, 'nothing at 4 kHz');
});
