import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ListOptions, MemoryDocStore, type StoredDoc } from '../storage/index.ts';
import { makeTickets } from './test-support.ts';

/** A tickets store whose listing fails while `down` is set (a disk error, a locked database). */
class FlakyStore extends MemoryDocStore {
  down = false;
  override list<T extends object>(options?: ListOptions): Promise<StoredDoc<T>[]> {
    if (this.down) return Promise.reject(new Error('injected: tickets store unavailable'));
    return super.list<T>(options);
  }
}

test('the periodic SLA check survives a failing store: it raises one alarm, backs off and resumes when the store is back', async (t) => {
  const store = new FlakyStore('tickets');
  const { service, of } = await makeTickets({ tickets: store });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const settle = async (ms: number) => {
    t.mock.timers.tick(ms);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  store.down = true;
  service.sla.start(1000);
  await settle(1000);
  assert.equal(service.sla.status?.failures, 1);
  assert.match(service.sla.status?.lastError ?? '', /tickets store unavailable/);
  await settle(1000);
  assert.equal(service.sla.status?.failures, 2, 'retried after the back-off');
  const alarms = of('system.alarm_raised');
  assert.equal(alarms.length, 1, 'one alarm per outage');
  assert.equal(alarms[0]?.data.alarm, 'system.loop_failing');
  assert.match(alarms[0]?.data.detail ?? '', /^tickets\.sla: /);
  store.down = false;
  await settle(2000);
  assert.equal(service.sla.status?.failures, 0, 'recovered');
  const passes = service.sla.status?.passes ?? 0;
  await settle(1000);
  assert.equal(service.sla.status?.passes, passes + 1, 'back on its period');
  await service.close();
});

test('the periodic SLA check runs once a period: the count of breaches it returns never schedules the next pass', async (t) => {
  const { service } = await makeTickets();
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const settle = async (ms: number) => {
    t.mock.timers.tick(ms);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  service.sla.start(1000);
  await settle(1000);
  assert.equal(service.sla.status?.passes, 1);
  for (let i = 0; i < 5; i++) await settle(0);
  await settle(999);
  assert.equal(
    service.sla.status?.passes,
    1,
    'no second pass before the period (the check found 0 breaches)',
  );
  await settle(1);
  assert.equal(service.sla.status?.passes, 2);
  await service.close();
});
