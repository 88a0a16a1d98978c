import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, secondsLeft } from './api.ts';

test('clock() shows a wait as m:ss, past an hour as h:mm:ss, never negative', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(9.9), '0:09');
  assert.equal(clock(75), '1:15');
  assert.equal(clock(3600 + 62), '1:01:02');
  assert.equal(clock(-5), '0:00');
});

test('secondsLeft() rounds up and stops at zero', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  assert.equal(secondsLeft('2026-12-07T10:00:01.200Z', now), 2);
  assert.equal(secondsLeft('2026-12-07T09:59:59Z', now), 0);
});
