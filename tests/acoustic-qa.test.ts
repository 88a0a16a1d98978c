// Issue 14, acoustic QA over real recordings: two scripted calls (espeak-ng speech on
// each side) are written by the recording writer as encrypted per-leg streams, read back
// through the recording service, measured, and scored with acoustic rules. The call where
// the agent talks over the customer and then leaves 20 s of silence fails exactly the
// overtalk and silence rules; the polite call passes every rule.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { measureCall } from '../appliance/src/intelligence/acoustic-job.ts';
import { scoreWithCard } from '../appliance/src/intelligence/qa.ts';
import type { QaRuleDef } from '../appliance/src/intelligence/types.ts';
import { MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { RecordingService } from '../appliance/src/voice/index.ts';
import { encodeUlaw } from '../appliance/src/voice/media/g711.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { RecordingStreamWriter } from '../appliance/src/voice/recording/stream.ts';
import { tempDataDir } from './support/appliance.ts';
import { ACOUSTIC_CARD_RULES, scriptLines, seconds, timeline } from './voice-support/qa-script.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
let lines: Awaited<ReturnType<typeof scriptLines>>;
let recordings: RecordingService;
let closeCrypto: () => void;
const RULES = ACOUSTIC_CARD_RULES as unknown as QaRuleDef[];

before(async () => {
  tmp = await tempDataDir('bl-acoustic-');
  lines = await scriptLines(tmp.dir);
  const crypto = await openCrypto(tmp.dir);
  closeCrypto = () => crypto.close();
  recordings = new RecordingService(new MemoryDocStore('recordings'), { crypto, dir: `${tmp.dir}/rec` });
});
after(async () => {
  closeCrypto?.();
  await tmp?.cleanup();
});

/** Records a call as the media worker does: per-leg encrypted streams of 20 ms μ-law frames. */
async function record(callId: string, customer: Int16Array, agent: Int16Array, agentJoinS: number) {
  const sodium = await loadStreamSodium();
  // The call started agentJoinS ago: the agent leg's recording starts now, at that offset.
  await recordings.begin(callId, Date.now() - agentJoinS * 1000);
  const legs = [
    ['customer', customer, 0],
    ['agent', agent, Math.round(agentJoinS * 8000)],
  ] as const;
  // Both legs' streams open first, so the agent leg's start event marks the join time.
  const streams = [];
  for (const [leg] of legs) streams.push(await recordings.legStream(callId, leg));
  const chunks: Record<string, number> = {};
  for (const [i, [leg, pcm, from]] of legs.entries()) {
    const { path, key } = streams[i] ?? { path: '', key: '' };
    const w = new RecordingStreamWriter(path, sodium, {
      key: Buffer.from(key, 'base64'),
      header: { v: 1, callId, leg, codec: 'pcmu', rate: 8000, startedAt: new Date().toISOString() },
    });
    for (let pos = from; pos < pcm.length; pos += 160)
      w.append(pos, encodeUlaw(pcm.subarray(pos, pos + 160)));
    w.finish();
    chunks[leg] = w.chunks;
  }
  await recordings.finish(callId, chunks);
}

const failed = (r: ReturnType<typeof scoreWithCard>) =>
  r.findings.filter((f) => !f.passed).map((f) => f.rule);

test('the agent talking over the customer and then 20 s of silence fails exactly the overtalk and the two silence rules', async () => {
  const { complaint, overAgent, lateAgent, bye } = lines;
  const silenceFrom = 1 + seconds(complaint);
  const late = silenceFrom + 21;
  const total = late + seconds(lateAgent) + 0.7 + seconds(bye) + 0.5;
  const customer = timeline(total, [
    [1, complaint],
    [late + seconds(lateAgent) + 0.7, bye],
  ]);
  // The agent starts 2.5 s into the complaint and talks over the rest of it.
  const agent = timeline(total, [
    [3.5, overAgent],
    [late, lateAgent],
  ]);
  await record('rude-call', customer, agent, 0.5);
  const m = await measureCall(recordings, 'rude-call');
  assert.ok(m, 'both legs measured');
  assert.ok(m.overtalk_s >= 1.5 && m.overtalk_s <= seconds(overAgent) + 0.4, JSON.stringify(m));
  assert.ok(m.longest_silence_s >= 20 && m.longest_silence_s <= 21.5, JSON.stringify(m));
  assert.equal(m.agent_interruptions, 0, 'the customer kept talking: overtalk, not an interruption');
  assert.ok(Math.abs(m.first_agent_words_s - 3) < 0.3, JSON.stringify(m));
  assert.ok(Math.abs(m.durationS - (total - 0.5)) < 0.1, JSON.stringify(m));
  const r = scoreWithCard(RULES, { lines: [], acoustic: m });
  assert.deepEqual(failed(r), ['longest_silence', 'silence_share', 'overtalk'], JSON.stringify(r.findings));
  assert.equal(r.score, 100 - 15 - 10 - 20);
});

test('a polite call (turns taken, short pauses) passes every acoustic rule', async () => {
  const { lostCard, politeAgent, thanks, anythingElse, bye } = lines;
  let t = 1;
  const c: Array<readonly [number, Int16Array]> = [];
  const a: Array<readonly [number, Int16Array]> = [];
  for (const [side, pcm] of [
    [c, lostCard],
    [a, politeAgent],
    [c, thanks],
    [a, anythingElse],
    [c, bye],
  ] as const) {
    side.push([t, pcm]);
    t += seconds(pcm) + 0.8;
  }
  await record('polite-call', timeline(t, c), timeline(t, a), 0.5);
  const m = await measureCall(recordings, 'polite-call');
  assert.ok(m);
  assert.equal(m.overtalk_s, 0, JSON.stringify(m));
  assert.ok(m.longest_silence_s < 2, JSON.stringify(m));
  assert.ok(m.agent_talk_ratio > 0.4 && m.agent_talk_ratio < 0.75, JSON.stringify(m));
  const r = scoreWithCard(RULES, { lines: [], acoustic: m });
  assert.deepEqual(failed(r), [], JSON.stringify(r.findings));
  assert.equal(r.score, 100);
});

test('hold time comes from the hold intervals and is not counted as silence', async () => {
  const { lostCard, politeAgent } = lines;
  const t = 1 + seconds(lostCard) + 0.8;
  const total = t + seconds(politeAgent) + 30;
  await record('held-call', timeline(total, [[1, lostCard]]), timeline(total, [[t, politeAgent]]), 0.5);
  const rec = await recordings.index('held-call');
  assert.ok(rec);
  const holdFrom = rec.epochMs + (t + seconds(politeAgent) + 1) * 1000;
  const m = await measureCall(recordings, 'held-call', [[holdFrom, holdFrom + 25_000]]);
  assert.ok(m);
  assert.ok(Math.abs(m.hold_s - 25) < 0.1, JSON.stringify(m));
  assert.ok(m.longest_silence_s < 5, JSON.stringify(m));
});

test('a call the agent never joined has nothing to measure', async () => {
  await recordings.begin('unanswered', Date.now());
  const { path, key } = await recordings.legStream('unanswered', 'customer');
  const w = new RecordingStreamWriter(path, await loadStreamSodium(), {
    key: Buffer.from(key, 'base64'),
    header: {
      v: 1,
      callId: 'unanswered',
      leg: 'customer',
      codec: 'pcmu',
      rate: 8000,
      startedAt: new Date().toISOString(),
    },
  });
  w.append(0, encodeUlaw(lines.bye));
  w.finish();
  await recordings.finish('unanswered', { customer: w.chunks });
  assert.equal(await measureCall(recordings, 'unanswered'), undefined);
  assert.equal(await measureCall(recordings, 'no-such-call'), undefined);
});
