import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDate, formatDateTime, formatDuration } from './format.ts';

test('formatDateTime() shows an instant in the branch time zone and the console language', () => {
  assert.equal(formatDateTime('2026-12-07T07:40:00Z', 'zh-CN', 'Asia/Shanghai'), '2026年12月7日 15:40:00');
  assert.equal(formatDateTime('2026-12-07T23:40:00Z', 'zh-CN', 'Asia/Shanghai'), '2026年12月8日 07:40:00');
  assert.match(formatDateTime('2026-12-07T07:40:00Z', 'en', 'Asia/Shanghai'), /^Dec 7, 2026, 3:40:00\sPM$/);
  assert.equal(formatDate('2026-12-07T23:40:00Z', 'zh-CN', 'Asia/Shanghai'), '2026年12月8日');
  assert.equal(formatDateTime('not a date', 'zh-CN', 'Asia/Shanghai'), 'not a date');
});

test('formatDuration() writes hours, minutes and seconds as the language does', () => {
  assert.equal(formatDuration(65, 'zh-CN'), '1分钟5秒');
  assert.equal(formatDuration(5, 'zh-CN'), '5秒');
  assert.equal(formatDuration(3725, 'en'), '1 hr 2 min 5 sec');
  assert.equal(formatDuration(-3, 'en'), '0 sec');
});
