import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { addBusinessMinutes } from './calendar.ts';
import { SlaPolicies } from './sla-policies.ts';

test('a policy stored with day-number keys (the old SLA format) reads back in routing’s weekday format and keeps its clock', async () => {
  const db = new MemoryDocStore('ticket-defs');
  await db.put({
    _id: 'sla:old',
    id: 'old',
    name: 'Old',
    calendar: { timeZone: 'Asia/Shanghai', weekly: { 1: [['09:00', '18:00']], 6: [['10:00', '12:00']] } },
    targets: {},
    escalations: [],
  });
  const policies = new SlaPolicies(db, { bus: new EventBus() });
  const p = await policies.get('old');
  assert.deepEqual(p.calendar.weekly, { Mon: [['09:00', '18:00']], Sat: [['10:00', '12:00']] });
  assert.deepEqual((await policies.list())[0]?.calendar.weekly, p.calendar.weekly);
  // Only Monday and Saturday open: 60 business minutes from Friday 17:00 Beijing end Saturday 11:00.
  const due = addBusinessMinutes(p.calendar, new Date('2024-05-10T09:00:00Z'), 60);
  assert.equal(due.toISOString(), '2024-05-11T03:00:00.000Z');
});

test('save() stores the weekday format even when given day numbers, and refuses an unknown weekday with TICKETS_INVALID_CALENDAR', async () => {
  const db = new MemoryDocStore('ticket-defs');
  const policies = new SlaPolicies(db, { bus: new EventBus() });
  const legacy = { timeZone: 'Asia/Shanghai', weekly: { 2: [['09:00', '18:00']] } } as never;
  await policies.save(
    { id: 'p', name: 'P', calendar: legacy, targets: {}, escalations: [] },
    { userId: 'u' },
  );
  const raw = await db.get<{ calendar: { weekly: unknown } }>('sla:p');
  assert.deepEqual(raw?.calendar.weekly, { Tue: [['09:00', '18:00']] });
  const bad = { timeZone: 'Asia/Shanghai', weekly: { Funday: [['09:00', '18:00']] } } as never;
  await assert.rejects(
    policies.save({ id: 'q', name: 'Q', calendar: bad, targets: {}, escalations: [] }, { userId: 'u' }),
    { code: 'TICKETS_INVALID_CALENDAR' },
  );
});
