import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayOf, dayRange, midnightBefore } from './days.ts';

test('dayOf() puts 23:30 UTC into the next day in Asia/Shanghai and the same day in UTC, whatever the process TZ', () => {
  assert.equal(dayOf('2024-03-30T23:30:00Z', 'Asia/Shanghai'), '2024-03-31');
  assert.equal(dayOf('2024-03-30T23:30:00Z', 'UTC'), '2024-03-30');
  assert.equal(dayOf('2024-03-30T03:30:00Z', 'America/Los_Angeles'), '2024-03-29');
  assert.throws(() => dayOf('yesterday', 'UTC'), RangeError);
});

test('midnightBefore() is the zone’s midnight, also across a daylight-saving change', () => {
  const now = new Date('2024-03-30T23:30:00Z');
  assert.equal(midnightBefore(now, 0, 'Asia/Shanghai').toISOString(), '2024-03-30T16:00:00.000Z');
  assert.equal(midnightBefore(now, 1, 'Asia/Shanghai').toISOString(), '2024-03-29T16:00:00.000Z');
  assert.equal(midnightBefore(now, -1, 'Asia/Shanghai').toISOString(), '2024-03-31T16:00:00.000Z');
  // New York moved to EDT (UTC-4) on 10 March 2024: midnights before and after it differ by 23 hours.
  const ny = new Date('2024-03-11T12:00:00Z');
  assert.equal(midnightBefore(ny, 0, 'America/New_York').toISOString(), '2024-03-11T04:00:00.000Z');
  assert.equal(midnightBefore(ny, 2, 'America/New_York').toISOString(), '2024-03-09T05:00:00.000Z');
});

test('dayRange() lists the zone’s calendar days ending today, oldest first', () => {
  assert.deepEqual(dayRange(new Date('2024-03-30T23:30:00Z'), 3, 0, 'Asia/Shanghai'), [
    '2024-03-29',
    '2024-03-30',
    '2024-03-31',
  ]);
  assert.deepEqual(dayRange(new Date('2024-03-30T23:30:00Z'), 2, 0, 'UTC'), ['2024-03-29', '2024-03-30']);
});
