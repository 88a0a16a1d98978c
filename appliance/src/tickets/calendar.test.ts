import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  isBusinessTime,
  validateCalendar,
} from './calendar.ts';

const weekdays = (windows: Array<[string, string]>) =>
  Object.fromEntries(
    ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => [d, windows]),
  ) as BusinessCalendar['weekly'];

// 2024-10-01 (Tuesday) is National Day; 2024-09-28/29 is a weekend.
const shanghai: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  weekly: weekdays([['09:00', '18:00']]),
  holidays: ['2024-10-01'],
};
const lunch: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  weekly: weekdays([
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ]),
};

/** Beijing wall time → Date (UTC+8, no DST). */
const cst = (local: string) => new Date(`${local}+08:00`);

describe('addBusinessMinutes()', () => {
  const cases: Array<[string, BusinessCalendar, string, number, string]> = [
    ['stays inside one working day', shanghai, '2024-09-23T10:00', 60, '2024-09-23T11:00'],
    ['skips the night', shanghai, '2024-09-23T17:30', 60, '2024-09-24T09:30'],
    ['skips the weekend', shanghai, '2024-09-27T17:00', 120, '2024-09-30T10:00'],
    ['starts on Monday when asked on Saturday', shanghai, '2024-09-28T12:00', 30, '2024-09-30T09:30'],
    ['skips a holiday (Tue 1 Oct)', shanghai, '2024-09-30T17:30', 60, '2024-10-02T09:30'],
    ['zero minutes at night lands on the next opening', shanghai, '2024-09-23T20:00', 0, '2024-09-24T09:00'],
    ['skips the lunch break', lunch, '2024-09-23T11:30', 60, '2024-09-23T13:30'],
    ['spans several days (3 full days)', shanghai, '2024-09-23T09:00', 3 * 540, '2024-09-25T18:00'],
  ];
  for (const [name, cal, from, minutes, expected] of cases) {
    it(`${name}: ${from} + ${minutes} min → ${expected} (Asia/Shanghai)`, () => {
      assert.equal(addBusinessMinutes(cal, cst(from), minutes).toISOString(), cst(expected).toISOString());
    });
  }

  it('rejects negative minutes with RangeError', () => {
    assert.throws(() => addBusinessMinutes(shanghai, new Date(), -1), RangeError);
  });
});

describe('businessMinutesBetween()', () => {
  const cases: Array<[string, string, string, number]> = [
    ['same day', '2024-09-23T10:00', '2024-09-23T12:30', 150],
    ['over a night', '2024-09-23T17:00', '2024-09-24T10:00', 120],
    ['over a weekend', '2024-09-27T17:00', '2024-09-30T10:00', 120],
    ['over a holiday', '2024-09-30T17:30', '2024-10-02T09:30', 60],
    ['entirely in the weekend', '2024-09-28T09:00', '2024-09-29T18:00', 0],
    ['reversed range', '2024-09-24T10:00', '2024-09-23T10:00', 0],
  ];
  for (const [name, from, to, expected] of cases) {
    it(`${name}: ${from} → ${to} is ${expected} business minutes`, () => {
      assert.equal(businessMinutesBetween(shanghai, cst(from), cst(to)), expected);
    });
  }

  it('is the inverse of addBusinessMinutes for a start inside hours', () => {
    const from = cst('2024-09-26T15:10');
    for (const m of [1, 59, 540, 777, 2000]) {
      assert.equal(businessMinutesBetween(shanghai, from, addBusinessMinutes(shanghai, from, m)), m);
    }
  });
});

describe('time zones', () => {
  it('the same instant is open in Asia/Shanghai and closed in Europe/London', () => {
    const at = new Date('2024-09-23T01:30:00Z'); // 09:30 in Shanghai, 02:30 in London
    assert.equal(isBusinessTime(shanghai, at), true);
    assert.equal(isBusinessTime({ ...shanghai, timeZone: 'Europe/London' }, at), false);
  });

  it('counts hours in New York across the DST change (8 Mar 2026 → 9 Mar)', () => {
    const ny: BusinessCalendar = { timeZone: 'America/New_York', weekly: weekdays([['09:00', '17:00']]) };
    const friday4pm = new Date('2026-03-06T21:00:00Z'); // EST (UTC-5)
    assert.equal(addBusinessMinutes(ny, friday4pm, 120).toISOString(), '2026-03-09T14:00:00.000Z'); // 10:00 EDT
  });
});

describe('validateCalendar()', () => {
  it('rejects an unknown zone, an empty window, a calendar that never opens and a bad holiday', () => {
    assert.throws(() => validateCalendar({ ...shanghai, timeZone: 'Mars/Olympus' }), /time zone/);
    assert.throws(
      () => validateCalendar({ ...shanghai, weekly: { Mon: [['18:00', '09:00']] } }),
      /Empty hours/,
    );
    assert.throws(() => validateCalendar({ ...shanghai, weekly: {} }), /no opening hours/);
    assert.throws(() => validateCalendar({ ...shanghai, holidays: ['1 Oct'] }), /holiday/);
    assert.doesNotThrow(() => validateCalendar(shanghai));
  });
});
