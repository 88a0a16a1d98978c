// The mediasoup media engine against the real C++ worker that
// firmware-scripts/build-mediasoup-worker.sh builds (CI builds it in .ci/run):
// two Node UDP "phones" bridged through two PlainTransports.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger } from '../appliance/src/logging/index.ts';
import {
  type MediaAlarm,
  MediaEngineError,
  MediasoupEngine,
  type PlainLegInfo,
} from '../appliance/src/voice/index.ts';
import { resolveWorkerBin } from '../appliance/src/voice/media/mediasoup-worker-bin.ts';
import { UdpPhone } from './support/udp-phone.ts';
import { until } from './support/until.ts';

const logger = createLogger('mediasoup-test');
const cacheDir = process.env['BRANCHLINE_CACHE_DIR'] || '/var/cache/branchline';
const workerBin = await resolveWorkerBin({
  explicit: process.env['MEDIASOUP_WORKER_BIN'] || undefined,
  cacheDir,
}).catch(() => undefined);
const skip =
  workerBin === undefined
    ? 'mediasoup worker not built: run firmware-scripts/build-mediasoup-worker.sh (.ci/run does)'
    : false;
const POLL = { timeoutMs: 20_000, everyMs: 20 };

let engine: MediasoupEngine;
const alarms: MediaAlarm[] = [];
const restarted: number[] = [];
const phones: UdpPhone[] = [];

before(async () => {
  if (!workerBin) return;
  engine = await MediasoupEngine.start({
    workerBin,
    logger,
    onAlarm: (a) => alarms.push(a),
    onRestarted: (pid) => restarted.push(pid),
    restartDelayMs: 50,
  });
});

after(async () => {
  for (const p of phones) p.close();
  await engine?.close();
});

async function phone(): Promise<UdpPhone> {
  const p = await UdpPhone.open();
  phones.push(p);
  return p;
}

/** Phone A pinned (its SDP address), phone B latched (comedia), both PCMU, bridged. */
async function bridgedPair(callId: string) {
  const a = await phone();
  const b = await phone();
  const call = await engine.openCall(callId);
  const legA: PlainLegInfo = await call.openPlainLeg({
    legId: 'a',
    codec: 'pcmu',
    bind: '127.0.0.1',
    remote: a.address,
    ssrc: a.ssrc,
  });
  const legB = await call.openPlainLeg({ legId: 'b', codec: 'pcmu', bind: '127.0.0.1', ssrc: b.ssrc });
  await call.bridge('a', 'b');
  a.target = legA.local;
  b.target = legB.local;
  return { a, b, call, legA, legB };
}

test('two phones bridged through two PlainTransports hear 100/100 PCMU packets each way, and RFC 4733 DTMF passes through', {
  skip,
}, async () => {
  const { a, b, legA } = await bridgedPair('call-audio');
  assert.equal(legA.dtmfPayloadType, 101);
  // B (comedia) talks first: its first packet latches the leg; A hears everything B says.
  await b.sendAudio(100);
  await until('A hears B 100 times', () => (a.audioFrom(b).length >= 100 ? true : undefined), POLL);
  await a.sendAudio(100);
  await until('B hears A 100 times', () => (b.audioFrom(a).length >= 100 ? true : undefined), POLL);
  assert.deepEqual(
    a.audioFrom(b).map((p) => p.index),
    Array.from({ length: 100 }, (_, i) => i),
    'A got each of B frames once, in order',
  );
  assert.deepEqual(
    b.audioFrom(a).map((p) => p.index),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.ok(
    a.received.every((p) => p.payloadType === 0),
    'PCMU keeps payload type 0',
  );

  // Digit 5 from A: 3 updates and 3 end packets (RFC 4733 §2.5.1.4), same timestamp.
  await a.sendDtmf(5);
  await until('B got the 6 telephone-event packets', () => (b.dtmf().length >= 6 ? true : undefined), POLL);
  const events = b.dtmf();
  assert.ok(events.every((e) => e.payloadType === 101 && e.event === 5));
  assert.deepEqual(
    events.map((e) => e.end),
    [false, false, false, true, true, true],
  );
  assert.equal(new Set(events.map((e) => e.timestamp)).size, 1, 'one event: one RTP timestamp');
  assert.equal(events.at(-1)?.duration, 960);
});

test('a leg pinned to its SDP address drops RTP from any other source, and a latched leg drops a second source', {
  skip,
}, async () => {
  const { a, b, legA, legB } = await bridgedPair('call-pinned');
  await b.sendAudio(1); // latch B
  await until('A hears B', () => (a.audioFrom(b).length >= 1 ? true : undefined), POLL);

  const intruder = await phone();
  intruder.ssrc = a.ssrc; // spoofs A's stream: same SSRC, wrong address
  intruder.target = legA.local;
  await intruder.sendAudio(20, { indexBase: 1000 });
  intruder.target = legB.local;
  intruder.ssrc = b.ssrc;
  await intruder.sendAudio(20, { indexBase: 2000 });
  // A fence from the real phones: once it arrives, the intruder's earlier packets would have too.
  await a.sendAudio(1, { indexBase: 500 });
  await b.sendAudio(1, { indexBase: 600 });
  await until(
    'B hears the fence from A',
    () => (b.received.some((p) => p.index === 500) ? true : undefined),
    POLL,
  );
  await until(
    'A hears the fence from B',
    () => (a.received.some((p) => p.index === 600) ? true : undefined),
    POLL,
  );
  assert.deepEqual(
    b.received.filter((p) => p.index >= 1000).map((p) => p.index),
    [],
    'nothing the intruder sent to the pinned leg reached B',
  );
  assert.deepEqual(
    a.received.filter((p) => p.index >= 1000).map((p) => p.index),
    [],
    'nothing the intruder sent to the latched leg reached A',
  );
});

test('a killed worker raises media.worker_died, the engine restarts it, and new calls work on the new worker', {
  skip,
}, async () => {
  const { call } = await bridgedPair('call-crash');
  const oldPid = engine.pid;
  process.kill(oldPid, 'SIGKILL');
  const alarm = await until('the worker-died alarm', () => alarms[0], POLL);
  assert.equal(alarm.alarm, 'media.worker_died');
  assert.equal(alarm.severity, 'critical');
  assert.match(alarm.detail, new RegExp(`pid:${oldPid}`));
  await until('a restarted worker', () => restarted[0], POLL);
  await engine.ready();
  assert.notEqual(engine.pid, oldPid);
  assert.equal(engine.restarts, 1);
  assert.equal(call.closed, true, 'the call on the dead worker is closed');
  assert.equal(engine.calls, 0);

  const { a, b } = await bridgedPair('call-after-restart');
  await b.sendAudio(10);
  await until(
    'A hears B through the new worker',
    () => (a.audioFrom(b).length >= 10 ? true : undefined),
    POLL,
  );
});

test('close() ends the worker process, frees the legs ports, is idempotent, and later calls fail with VOICE_MEDIA_ENGINE_CLOSED', {
  skip,
}, async () => {
  assert.ok(workerBin);
  const own = await MediasoupEngine.start({ workerBin, logger });
  const call = await own.openCall('call-close');
  const leg = await call.openPlainLeg({ legId: 'x', codec: 'pcma', bind: '127.0.0.1', ssrc: 7 });
  const pid = own.pid;
  await Promise.all([own.close(), own.close()]);
  await own.close();
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'worker process is gone');
  assert.equal(call.closed, true);
  const reuse = await UdpPhone.open(leg.local.port);
  reuse.close();
  await assert.rejects(own.openCall('late'), { code: 'VOICE_MEDIA_ENGINE_CLOSED' });
});

test('a missing worker is VOICE_MEDIA_WORKER_MISSING and one that does not start is VOICE_MEDIA_WORKER_BROKEN', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bl-ms-'));
  try {
    await assert.rejects(
      resolveWorkerBin({ explicit: path.join(dir, 'nope'), cacheDir: dir }),
      (e: unknown) => e instanceof MediaEngineError && e.code === 'VOICE_MEDIA_WORKER_MISSING',
    );
    await assert.rejects(
      resolveWorkerBin({ explicit: undefined, cacheDir: dir }),
      (e: unknown) =>
        e instanceof MediaEngineError &&
        e.code === 'VOICE_MEDIA_WORKER_MISSING' &&
        e.message.includes('build-mediasoup-worker.sh'),
    );
    const broken = path.join(dir, 'mediasoup-worker');
    await writeFile(
      broken,
      '#!/bin/sh\necho "libsrtp2.so.1: cannot open shared object file" >&2\nexit 127\n',
    );
    await chmod(broken, 0o755);
    await assert.rejects(
      MediasoupEngine.start({ workerBin: broken, logger }),
      (e: unknown) =>
        e instanceof MediaEngineError && e.code === 'VOICE_MEDIA_WORKER_BROKEN' && e.message.includes('127'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
