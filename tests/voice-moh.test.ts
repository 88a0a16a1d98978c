import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, type FlowDefinition, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type CryptoFacade, MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import {
  holdMusicPath,
  type QueueEstimate,
  VoiceStack,
  waitAnnouncement,
} from '../appliance/src/voice/index.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { CallerUa } from './voice-support/caller-ua.ts';
import { bestCorrelation, decodeUlawBuf, synthAgentSweep } from './voice-support/util.ts';

const EVERY_S = 6;
const FLOW: FlowDefinition = {
  id: 'inbound',
  name: 'Queue only',
  language: 'en',
  start: 'queue',
  nodes: { queue: { type: 'enqueue', queue: 'sales', announceEverySeconds: EVERY_S } },
};
const ESTIMATE: QueueEstimate = { position: 2, ewtSeconds: 90 };

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let sip: { host: string; port: number };
let tts: EspeakTts;
const bus = new EventBus();
const asked: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-voice-moh-'));
  crypto = await openCrypto(join(dir, 'keys'));
  tts = new EspeakTts(join(dir, 'prompts'));
  stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-moh-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: ['127.0.0.1'],
      allowedPrefixes: ['+86'],
      realm: 'branchline',
      inboundFlow: async () => FLOW,
    },
    tts,
    asr: new PocketsphinxAsr(),
    openContact: async (call) => ({ contactId: `contact-${call.id}`, customerId: 'cust-1' }),
    queuePosition: (contactId) => {
      asked.push(contactId);
      return ESTIMATE;
    },
  });
  sip = await stack.listen(0, '127.0.0.1');
  await stack.accounts.create({ username: 'agent1', password: 'correct horse battery', userId: 'u-agent' });
});

after(async () => {
  await stack.close();
  crypto.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

/** One RTP frame is 20 ms of audio. */
const FRAME_MS = 20;

test('waitAnnouncement() names the position and rounds the estimated wait up to minutes, in en and zh', () => {
  assert.equal(
    waitAnnouncement({ position: 2, ewtSeconds: 90 }, 'en'),
    'You are number 2 in the queue. The estimated wait is about 2 minutes.',
  );
  assert.match(waitAnnouncement({ position: 1, ewtSeconds: null }, 'en'), /as soon as possible/);
  assert.equal(waitAnnouncement({ position: 3, ewtSeconds: 30 }, 'zh'), '您前面还有2位客户。预计等待1分钟。');
  assert.equal(waitAnnouncement(undefined, 'en'), 'All our agents are busy. Please hold.');
});

test('a queued SIP caller hears the position announcement, then music on hold, a re-announcement, and the agent once connected', {
  timeout: 60_000,
}, async () => {
  const announcement = decodeUlawBuf(
    await readFile(await tts.synthesize(waitAnnouncement(ESTIMATE, 'en'), 'en')),
  );
  const music = decodeUlawBuf(await readFile(holdMusicPath()));
  await synthAgentSweep(join(dir, 'agent.ul'));
  const agentRaw = await readFile(join(dir, 'agent.ul'));
  const agentSrc = decodeUlawBuf(agentRaw);
  const annMs = (announcement.length / 8000) * 1000;

  const queued = new Promise<string>((resolve) =>
    bus.subscribe('call.queued', (e) => resolve(e.data.callId)),
  );
  const caller = new CallerUa(sip, Buffer.alloc(8000, 0xff));
  const agent = new AgentUa(sip, { user: 'agent1', password: 'correct horse battery', audio: agentRaw });
  await caller.start();
  await agent.start();
  try {
    assert.equal(await agent.register(), 200);
    assert.equal(await caller.call(), 200);
    const callId = await queued;
    const t0 = Date.now();
    // The schedule is cut by media time, not wall time: the worker paces prompts by frames sent
    // (and stretches them rather than bursting after a stall), so under CI load the wall clock
    // drifts from it while frame counts do not. `fromMs`/`toMs` are offsets into what was played.
    const since = () => caller.heard.filter((h) => h.at >= t0);
    const slice = (fromMs: number, toMs: number) =>
      decodeUlawBuf(
        Buffer.concat(
          since()
            .slice(Math.floor(fromMs / FRAME_MS), Math.floor(toMs / FRAME_MS))
            .map((h) => h.payload),
        ),
      );
    const schedule = annMs + EVERY_S * 1000 + 2500;
    await until(
      'the announcement, the music and the re-announcement',
      () => (since().length * FRAME_MS >= schedule ? true : undefined),
      { timeoutMs: schedule + 20_000, everyMs: 200 },
    ).catch(() => undefined);
    const first = slice(0, annMs);
    const moh = slice(annMs + 500, annMs + EVERY_S * 1000 - 500);
    const again = slice(annMs + EVERY_S * 1000 + 200, annMs + EVERY_S * 1000 + 2500);
    assert.ok(asked.includes(`contact-${callId}`), 'the estimate was asked for the call contact');
    const c1 = bestCorrelation(first, announcement);
    const cm = bestCorrelation(moh, music);
    const c2 = bestCorrelation(again, announcement);
    assert.ok(c1 > 0.8, `first the announcement (correlation ${c1.toFixed(2)})`);
    assert.ok(cm > 0.8, `then music on hold (correlation ${cm.toFixed(2)})`);
    assert.ok(c2 > 0.8, `re-announced after ${EVERY_S} s (correlation ${c2.toFixed(2)})`);

    assert.equal(await stack.service.connectAgent(callId, 'u-agent'), true);
    const connected = Date.now();
    const measure = () => {
      const after = decodeUlawBuf(caller.heardSince(connected + 300));
      return {
        ca: bestCorrelation(after, agentSrc),
        cmAfter: bestCorrelation(after, music),
        ctAfter: bestCorrelation(after, announcement),
      };
    };
    // At least the 2.5 s the negative checks always had, then until the agent is heard.
    const { ca, cmAfter, ctAfter } = await until(
      'the caller to hear the agent',
      () => {
        if (Date.now() < connected + 2500) return undefined;
        const m = measure();
        return m.ca > 0.8 ? m : undefined;
      },
      { timeoutMs: 20_000, everyMs: 500 },
    ).catch(measure);
    assert.ok(ca > 0.8, `the caller hears the agent (correlation ${ca.toFixed(2)})`);
    assert.ok(
      cmAfter < 0.5 && ctAfter < 0.5,
      `music and announcements stopped (${cmAfter.toFixed(2)}, ${ctAfter.toFixed(2)})`,
    );
    assert.equal(await caller.bye(), 200);
  } finally {
    caller.close();
    agent.close();
  }
});
