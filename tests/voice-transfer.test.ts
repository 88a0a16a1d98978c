import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type CryptoFacade, MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack } from '../appliance/src/voice/index.ts';
import { until, untilTrue } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { CallerUa } from './voice-support/caller-ua.ts';
import { bestCorrelation, decodeUlawBuf, run, toneShare } from './voice-support/util.ts';

let dir: string;
let crypto: CryptoFacade;
let stack: VoiceStack;
let sip: { host: string; port: number };
const bus = new EventBus();
const events: Array<{ type: string; data: Record<string, unknown> }> = [];
const audio: Record<'caller' | 'a1' | 'a2', { raw: Buffer; src: Int16Array }> = {} as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'correct horse battery';

async function ulaw(name: string, args: string[]): Promise<{ raw: Buffer; src: Int16Array }> {
  const out = join(dir, `${name}.ul`);
  await run('sox', [
    ...args.slice(0, 1),
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    '-t',
    'ul',
    out,
    ...args.slice(1),
  ]);
  const raw = await readFile(out);
  return { raw, src: decodeUlawBuf(raw) };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-voice-transfer-'));
  crypto = await openCrypto(join(dir, 'keys'));
  bus.subscribe('*', (e) => void events.push({ type: e.type, data: e.data as Record<string, unknown> }));
  stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-transfer-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: ['127.0.0.1'],
      allowedPrefixes: [],
      realm: 'branchline',
      inboundFlow: async () => ({
        id: 'inbound',
        name: 'Queue at once',
        language: 'en',
        start: 'q',
        nodes: { q: { type: 'enqueue', queue: 'sales' } },
      }),
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
    guard: { maxRequestsPerWindow: 1_000_000, maxAuthFailures: 10 },
  });
  sip = await stack.listen(0, '127.0.0.1');
  for (const [username, userId] of [
    ['agent1', 'user-1'],
    ['agent2', 'user-2'],
    ['desk3', undefined],
  ] as const)
    await stack.accounts.create({ username, password: PASSWORD, ...(userId ? { userId } : {}) });
  await run('espeak-ng', ['-v', 'en', '-w', join(dir, 'c.wav'), 'one two three four five six seven']);
  audio.caller = await ulaw('caller', [join(dir, 'c.wav')]);
  audio.a1 = await ulaw('a1', ['-n', 'synth', '4', 'sine', '300-1200', 'tremolo', '3', '80']);
  audio.a2 = await ulaw('a2', ['-n', 'synth', '4', 'square', '1500-400', 'tremolo', '7', '60']);
});

after(async () => {
  await stack.close();
  crypto.close();
  bus.close();
  await rm(dir, { recursive: true, force: true });
});

async function phone(user: string, a: { raw: Buffer }): Promise<AgentUa> {
  const ua = new AgentUa(sip, { user, password: PASSWORD, audio: a.raw });
  await ua.start();
  assert.equal(await ua.register(), 200);
  return ua;
}

/** A trunk call queued by the IVR and answered by user-1's phone. */
async function bridgedCall(): Promise<{ caller: CallerUa; callId: string }> {
  const queued = new Promise<string>((resolve) => {
    const off = bus.subscribe('call.queued', (e) => {
      off();
      resolve(e.data.callId);
    });
  });
  const caller = new CallerUa(sip, audio.caller.raw);
  await caller.start();
  assert.equal(await caller.call(), 200);
  const callId = await queued;
  assert.equal(await stack.service.connectAgent(callId, 'user-1'), true);
  return { caller, callId };
}

const heard = (b: Buffer) => decodeUlawBuf(b);
const agentHeard = (ua: AgentUa, from: number) => decodeUlawBuf(Buffer.concat(ua.received.slice(from)));
function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / Math.max(1, pcm.length));
}
/** Under CI load (2 cores, two files at once) audio takes longer to flow; correlation is costly, so poll slowly. */
const POLL = { timeoutMs: 20_000, everyMs: 300 };
const byeTo = (ua: AgentUa, who: string) =>
  untilTrue(`${who} to get a BYE`, () => ua.byes === 1, { timeoutMs: 20_000 });

/**
 * Polls `measure` until `ok` holds, never before `min.ms` after `min.from`: a window that also
 * carries a negative check stays at least as long as the fixed sleep it replaces. Returns the
 * last measurement either way, so the unchanged asserts report the values on a timeout.
 */
function settled<T>(
  what: string,
  measure: () => T,
  ok: (m: T) => boolean,
  min?: { from: number; ms: number },
): Promise<T> {
  return until(
    what,
    () => {
      if (min && Date.now() < min.from + min.ms) return undefined;
      const m = measure();
      return ok(m) ? m : undefined;
    },
    POLL,
  ).catch(() => measure());
}

/** A precondition rather than a check: the bridge carries agent 1 to the caller. */
const callerHearsAgent1 = (caller: CallerUa) =>
  untilTrue(
    'the caller to hear agent 1',
    () => bestCorrelation(heard(caller.heardSince(0)), audio.a1.src) > 0.5,
    POLL,
  );

/**
 * Waits until the caller's last second is the 425 Hz hold tone (0.4 s of 1 s on: share ≈ 0.63), and
 * returns when an "on hold" window may start: not before `notBefore`, nor while frames from before
 * the hold are still arriving (they are stamped late when the test process lags under load).
 */
async function holdToneFrom(caller: CallerUa, notBefore: number): Promise<number> {
  await untilTrue(
    'the caller to hear the hold tone',
    () =>
      caller.heard.length >= 50 &&
      toneShare(heard(Buffer.concat(caller.heard.slice(-50).map((h) => h.payload))), 425, 8000) > 0.5,
    { timeoutMs: 20_000 },
  ).catch(() => undefined);
  return Math.max(notBefore, Date.now());
}

test('a blind transfer releases the first agent and bridges the caller both ways to the second agent', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const a2 = await phone('agent2', audio.a2);
  const { caller, callId } = await bridgedCall();
  try {
    const first = await settled(
      'the caller to hear agent 1',
      () => bestCorrelation(heard(caller.heardSince(0)), audio.a1.src),
      (c) => c > 0.5,
    );
    assert.ok(first > 0.5, 'caller hears agent 1 first');
    await stack.service.transfer(callId, 'blind', { userId: 'user-2' }, { userId: 'user-1' });
    await byeTo(a1, 'agent 1');
    const t0 = Date.now();
    const from2 = a2.received.length;
    const m = await settled(
      'audio between the caller and agent 2',
      () => {
        const afterCaller = heard(caller.heardSince(t0 + 300));
        return {
          c2: bestCorrelation(afterCaller, audio.a2.src),
          c1: bestCorrelation(afterCaller, audio.a1.src),
          a2c: bestCorrelation(agentHeard(a2, from2), audio.caller.src),
        };
      },
      (x) => x.c2 > 0.5 && x.a2c > 0.5,
      { from: t0, ms: 2500 },
    );
    assert.ok(m.c2 > 0.5, 'caller hears agent 2 after the transfer');
    assert.ok(m.c1 < 0.4, 'caller no longer hears agent 1');
    assert.ok(m.a2c > 0.5, 'agent 2 hears the caller');
    assert.equal(stack.service.get(callId)?.agentLeg?.userId, 'user-2');
    const ev = events.find((e) => e.type === 'call.transferred' && e.data.callId === callId);
    assert.deepEqual(
      { mode: ev?.data.mode, stage: ev?.data.stage, from: ev?.data.fromUserId },
      { mode: 'blind', stage: 'completed', from: 'user-1' },
    );
    assert.equal(await caller.bye(), 200);
    await byeTo(a2, 'agent 2');
  } finally {
    caller.close();
    a1.close();
    a2.close();
  }
});

test('an attended transfer holds the caller on a tone while agent 1 consults a desk phone, then completes to it', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const desk = await phone('desk3', audio.a2);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    await stack.service.transfer(callId, 'attended', { extension: 'desk3' }, { userId: 'user-1' });
    const t0 = Date.now();
    const fromDesk = desk.received.length;
    const fromA1 = a1.received.length;
    const heldFrom = await holdToneFrom(caller, t0 + 300);
    const consult = () => {
      const onHold = heard(caller.heardSince(heldFrom));
      return {
        consulting: stack.service.get(callId)?.consulting !== undefined,
        deskA1: bestCorrelation(agentHeard(desk, fromDesk), audio.a1.src),
        a1Desk: bestCorrelation(agentHeard(a1, fromA1 + 10), audio.a2.src),
        holdRms: rms(onHold),
        holdA1: bestCorrelation(onHold, audio.a1.src),
        deskCaller: bestCorrelation(agentHeard(desk, fromDesk), audio.caller.src),
      };
    };
    const c = await settled(
      'the consultation and the hold tone',
      consult,
      (x) => x.consulting && x.deskA1 > 0.5 && x.a1Desk > 0.5 && x.holdRms > 300,
      { from: t0, ms: 2000 },
    );
    assert.equal(c.consulting, true);
    assert.ok(c.deskA1 > 0.5, 'the desk phone hears agent 1');
    assert.ok(c.a1Desk > 0.5, 'agent 1 hears the desk phone');
    assert.ok(c.holdRms > 300, 'the caller hears the hold tone, not dead air');
    assert.ok(c.holdA1 < 0.4, 'the caller does not hear the consultation');
    assert.ok(c.deskCaller < 0.4, 'the desk does not hear the caller yet');

    await stack.service.completeTransfer(callId, { userId: 'user-1' });
    await byeTo(a1, 'agent 1');
    const t1 = Date.now();
    const fromDesk2 = desk.received.length;
    const done = await settled(
      'audio between the caller and the desk phone',
      () => ({
        callerDesk: bestCorrelation(heard(caller.heardSince(t1 + 300)), audio.a2.src),
        deskCaller: bestCorrelation(agentHeard(desk, fromDesk2 + 10), audio.caller.src),
      }),
      (x) => x.callerDesk > 0.5 && x.deskCaller > 0.5,
    );
    assert.ok(done.callerDesk > 0.5, 'caller hears the desk phone');
    assert.ok(done.deskCaller > 0.5, 'desk phone hears the caller');
    const stages = events
      .filter((e) => e.type === 'call.transferred' && e.data.callId === callId)
      .map((e) => e.data.stage);
    assert.deepEqual(stages, ['started', 'completed']);
    assert.equal(await caller.bye(), 200);
    await byeTo(desk, 'the desk phone');
  } finally {
    caller.close();
    a1.close();
    desk.close();
  }
});

test('cancelling an attended transfer hangs up the consulted agent and reconnects the caller with agent 1', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const a2 = await phone('agent2', audio.a2);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    await stack.service.transfer(callId, 'attended', { userId: 'user-2' }, { userId: 'user-1' });
    // Cancel a consultation that is really up: agent 2 hears agent 1.
    await untilTrue(
      'agent 2 to hear agent 1',
      () => bestCorrelation(agentHeard(a2, 0), audio.a1.src) > 0.5,
      POLL,
    );
    await stack.service.cancelTransfer(callId, { userId: 'user-1' });
    await byeTo(a2, 'agent 2');
    assert.equal(a1.byes, 0);
    const t0 = Date.now();
    const again = await settled(
      'the caller to hear agent 1 again',
      () => bestCorrelation(heard(caller.heardSince(t0 + 300)), audio.a1.src),
      (x) => x > 0.5,
    );
    assert.ok(again > 0.5, 'caller hears agent 1 again');
    assert.equal(stack.service.get(callId)?.consulting, undefined);
    assert.equal(
      events.some(
        (e) => e.type === 'call.transferred' && e.data.callId === callId && e.data.stage === 'cancelled',
      ),
      true,
    );
    await caller.bye();
  } finally {
    caller.close();
    a1.close();
    a2.close();
  }
});

test('agent 1 hanging up while consulting hands the caller to the consulted agent instead of cutting them off', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const a2 = await phone('agent2', audio.a2);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    await stack.service.transfer(callId, 'attended', { userId: 'user-2' }, { userId: 'user-1' });
    await untilTrue(
      'agent 2 to hear agent 1',
      () => bestCorrelation(agentHeard(a2, 0), audio.a1.src) > 0.5,
      POLL,
    );
    a1.hangup();
    await untilTrue(
      'the transfer to complete',
      () =>
        events.some(
          (e) => e.type === 'call.transferred' && e.data.callId === callId && e.data.stage === 'completed',
        ),
      POLL,
    );
    const t0 = Date.now();
    const from2 = a2.received.length;
    const m = await settled(
      'audio between the caller and agent 2',
      () => ({
        c2: bestCorrelation(heard(caller.heardSince(t0 + 300)), audio.a2.src),
        a2c: bestCorrelation(agentHeard(a2, from2), audio.caller.src),
      }),
      (x) => x.c2 > 0.5 && x.a2c > 0.5,
    );
    assert.ok(m.c2 > 0.5, `the caller hears agent 2 (${m.c2.toFixed(2)})`);
    assert.ok(m.a2c > 0.5, `agent 2 hears the caller (${m.a2c.toFixed(2)})`);
    assert.equal(stack.service.get(callId)?.state, 'bridged');
    assert.equal(stack.service.get(callId)?.agentLeg?.userId, 'user-2');
    assert.equal(a2.byes, 0, 'agent 2 stays on the call');
    await caller.bye();
  } finally {
    caller.close();
    a1.close();
    a2.close();
  }
});

test('agent hold plays a tone to the caller and cuts the agent off; resume restores audio both ways', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    await stack.service.hold(callId);
    const t0 = Date.now();
    // The window for "the agent receives nothing" starts once the hold is audible, not after a guess.
    const heldFrom = await holdToneFrom(caller, t0 + 300);
    const before = a1.received.length;
    await sleep(1500);
    assert.ok(a1.received.length - before <= 3, 'the held agent receives no caller audio');
    const onHold = heard(caller.heardSince(heldFrom));
    assert.ok(
      rms(onHold) > 300 && bestCorrelation(onHold, audio.a1.src) < 0.4,
      'caller hears the tone, not agent',
    );
    assert.equal(stack.service.get(callId)?.held, 'agent');
    await stack.service.resume(callId);
    const t1 = Date.now();
    const from = a1.received.length;
    const back = await settled(
      'audio both ways after resume',
      () => ({
        caller: bestCorrelation(heard(caller.heardSince(t1 + 300)), audio.a1.src),
        agent: bestCorrelation(agentHeard(a1, from), audio.caller.src),
      }),
      (x) => x.caller > 0.5 && x.agent > 0.5,
    );
    assert.ok(back.caller > 0.5);
    assert.ok(back.agent > 0.5);
    const types = events.filter((e) => e.data.callId === callId).map((e) => e.type);
    assert.ok(types.includes('call.held') && types.includes('call.resumed'));
    await caller.bye();
  } finally {
    caller.close();
    a1.close();
  }
});

test('a re-INVITE with a=sendonly from the caller is answered recvonly and marks the call held; sendrecv resumes', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    const hold = await caller.reinvite('sendonly');
    assert.equal(hold.status, 200);
    assert.match(hold.sdp, /a=recvonly/);
    assert.equal(stack.service.get(callId)?.held, 'customer');
    const inactive = await caller.reinvite('inactive');
    assert.match(inactive.sdp, /a=inactive/);
    const back = await caller.reinvite('sendrecv');
    assert.match(back.sdp, /a=sendrecv/);
    assert.equal(stack.service.get(callId)?.held, undefined);
    const t0 = Date.now();
    const flows = await settled(
      'audio after resume',
      () => bestCorrelation(heard(caller.heardSince(t0 + 200)), audio.a1.src),
      (x) => x > 0.5,
    );
    assert.ok(flows > 0.5, 'audio flows after resume');
    const held = events.find((e) => e.type === 'call.held' && e.data.callId === callId);
    assert.equal(held?.data.by, 'customer');
    await caller.bye();
  } finally {
    caller.close();
    a1.close();
  }
});

test('transfer refuses a call that is not live and a target without a registered phone', async () => {
  await assert.rejects(stack.service.transfer('nope', 'blind', { userId: 'user-2' }), {
    code: 'VOICE_CALL_NOT_FOUND',
  });
  const a1 = await phone('agent1', audio.a1);
  const { caller, callId } = await bridgedCall();
  try {
    await assert.rejects(stack.service.transfer(callId, 'attended', { userId: 'nobody' }), {
      code: 'VOICE_TARGET_UNAVAILABLE',
    });
    await assert.rejects(stack.service.transfer(callId, 'attended', { queue: 'sales' }), {
      code: 'VOICE_TARGET_UNAVAILABLE',
    });
    await assert.rejects(stack.service.completeTransfer(callId), { code: 'VOICE_CALL_STATE' });
    assert.equal(stack.service.get(callId)?.state, 'bridged');
    await caller.bye();
  } finally {
    caller.close();
    a1.close();
  }
});

test('a blind transfer to a queue requeues the call and the next agent reuses the parked, still-recording agent leg', {
  timeout: 60_000,
}, async () => {
  const a1 = await phone('agent1', audio.a1);
  const a2 = await phone('agent2', audio.a2);
  const { caller, callId } = await bridgedCall();
  try {
    await callerHearsAgent1(caller);
    const requeued = new Promise<string>((resolve) => {
      const off = bus.subscribe('call.queued', (e) => {
        off();
        resolve(e.data.queue);
      });
    });
    await stack.service.transfer(callId, 'blind', { queue: 'vip' }, { userId: 'user-1' });
    assert.equal(await requeued, 'vip');
    await byeTo(a1, 'agent 1');
    assert.equal(stack.service.get(callId)?.state, 'queued');
    const agentLeg = `${callId}:agent`;
    assert.equal(await stack.service.connectAgent(callId, 'user-2'), true);
    assert.equal(stack.service.get(callId)?.agentLeg?.legId, agentLeg);
    const t0 = Date.now();
    const hears2 = await settled(
      'the caller to hear agent 2',
      () => bestCorrelation(heard(caller.heardSince(t0 + 300)), audio.a2.src),
      (x) => x > 0.5,
    );
    assert.ok(hears2 > 0.5, 'caller hears agent 2');
    await caller.bye();
    await byeTo(a2, 'agent 2');
    const index = await stack.recordings.index(callId);
    assert.ok((index?.chunks?.agent ?? 0) > 0, 'the agent channel was recorded across the transfer');
  } finally {
    caller.close();
    a1.close();
    a2.close();
  }
});
