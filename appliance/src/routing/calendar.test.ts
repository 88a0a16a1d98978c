import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Calendar, isOpenAt } from './calendar.ts';

const branch: Calendar = {
  id: 'sh',
  name: 'Shanghai branch',
  timeZone: 'Asia/Shanghai',
  weekly: {
    Mon: [
      ['09:00', '12:00'],
      ['13:00', '17:30'],
    ],
    Sat: [['09:00', '12:00']],
  },
  holidays: ['2025-10-06'],
};

const cases: Array<[string, string, boolean]> = [
  ['Monday 09:00 Shanghai is open', '2025-09-29T01:00:00Z', true],
  ['Monday 08:59 Shanghai is closed', '2025-09-29T00:59:00Z', false],
  ['Monday lunch 12:30 is closed', '2025-09-29T04:30:00Z', false],
  ['Monday 17:29 is open', '2025-09-29T09:29:00Z', true],
  ['Monday 17:30 is closed (end is exclusive)', '2025-09-29T09:30:00Z', false],
  ['Sunday is closed (no hours)', '2025-09-28T02:00:00Z', false],
  ['a holiday Monday is closed', '2025-10-06T02:00:00Z', false],
  ['Sunday 17:30 UTC is Monday 01:30 in Shanghai: closed', '2025-09-28T17:30:00Z', false],
  [
    'Sunday 20:00 UTC is Monday 04:00 local — still closed; 01:05 UTC Monday is open',
    '2025-09-29T01:05:00Z',
    true,
  ],
];

for (const [name, iso, open] of cases) {
  test(`isOpenAt: ${name}`, () => {
    assert.equal(isOpenAt(branch, Date.parse(iso)), open);
  });
}
