import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { Logger } from '../logging/index.ts';
import { EventBus } from './bus.ts';
import type { DomainEvent } from './catalogue.ts';
import { SupervisedLoop } from './supervised-loop.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Moves the mocked clock on by `ms` and lets the passes it started settle (no real waiting). */
async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function alarms(bus: EventBus): Array<DomainEvent<'system.alarm_raised'>['data']> {
  const seen: Array<DomainEvent<'system.alarm_raised'>['data']> = [];
  bus.subscribe('system.alarm_raised', (e) => {
    seen.push(e.data);
  });
  return seen;
}

test('SupervisedLoop keeps a periodic loop running through sync and async failures and raises one alarm per outage', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const bus = new EventBus();
  const raised = alarms(bus);
  let calls = 0;
  const loop = new SupervisedLoop(
    'test.periodic',
    () => {
      calls++;
      if (calls === 1) throw new Error('sync boom');
      if (calls === 2) return Promise.reject(new Error('async boom'));
      return undefined;
    },
    { everyMs: 1000, backoffMs: 100, bus, log: quiet },
  ).start();
  await advance(t, 999);
  assert.equal(calls, 0, 'the first pass waits one period');
  await advance(t, 1);
  assert.equal(calls, 1);
  assert.equal(loop.status.failures, 1);
  await advance(t, 100);
  assert.equal(calls, 2, 'retried after the back-off, not the period');
  assert.equal(loop.status.failures, 2);
  await advance(t, 200);
  assert.equal(calls, 3, 'the back-off doubled');
  assert.equal(loop.status.failures, 0, 'recovered');
  await advance(t, 1000);
  assert.equal(calls, 4, 'back on its period');
  assert.equal(raised.length, 1, 'one alarm for the outage, not one per failure');
  assert.equal(raised[0]?.alarm, 'system.loop_failing');
  assert.match(raised[0]?.detail ?? '', /^test\.periodic: Error: sync boom/);
  await loop.close();
  await advance(t, 10_000);
  assert.equal(calls, 4, 'close() stops the loop');
});

test('SupervisedLoop caps the back-off and a kick does not shorten it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let calls = 0;
  const loop = new SupervisedLoop(
    'test.backoff',
    () => {
      calls++;
      throw new Error('store down');
    },
    { backoffMs: 20, maxBackoffMs: 80, log: quiet },
  );
  loop.kick();
  await advance(t, 0);
  assert.equal(calls, 1);
  for (let i = 0; i < 20; i++) loop.kick();
  await advance(t, 19);
  assert.equal(calls, 1, 'kicks during the back-off do not run a pass');
  await advance(t, 1);
  assert.equal(calls, 2);
  await advance(t, 40);
  assert.equal(calls, 3);
  await advance(t, 80);
  assert.equal(calls, 4);
  await advance(t, 80);
  assert.equal(calls, 5, 'capped at maxBackoffMs');
  assert.equal(loop.status.failures, 5);
  assert.match(loop.status.lastError ?? '', /store down/);
  await loop.close();
});

test('SupervisedLoop runs a kick during a pass once more afterwards, never two passes at once, and honours a returned retry delay', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  let release: (() => void) | undefined;
  const loop = new SupervisedLoop(
    'test.kick',
    async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (calls === 1) await new Promise<void>((r) => (release = r));
      active--;
      return calls === 2 ? { againInMs: 50 } : undefined;
    },
    { log: quiet },
  );
  loop.kick();
  await advance(t, 0);
  loop.kick();
  loop.kick();
  release?.();
  await advance(t, 0);
  assert.equal(calls, 2, 'the kicks during the pass ran one more pass');
  await advance(t, 49);
  assert.equal(calls, 2);
  await advance(t, 1);
  assert.equal(calls, 3, 'the asked-for retry');
  await advance(t, 10_000);
  assert.equal(calls, 3, 'no pass without a kick, a period or a retry');
  assert.equal(maxActive, 1);
  await loop.close();
});

test('SupervisedLoop survives an alarm sink that throws', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const bus = new EventBus();
  bus.publish = () => {
    throw new Error('bus broken');
  };
  let calls = 0;
  const loop = new SupervisedLoop(
    'test.sink',
    () => {
      if (++calls === 1) throw new Error('first pass fails');
    },
    { backoffMs: 5, bus, log: quiet },
  );
  loop.kick();
  await advance(t, 0);
  assert.equal(calls, 1);
  await advance(t, 5);
  assert.equal(calls, 2);
  assert.equal(loop.status.failures, 0);
  await loop.close();
});

test('SupervisedLoop refuses a non-positive period with RangeError', () => {
  assert.throws(() => new SupervisedLoop('x', () => undefined, { everyMs: 0 }), RangeError);
});
