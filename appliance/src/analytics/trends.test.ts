import assert from 'node:assert/strict';
import { test } from 'node:test';
import { G2_CRITICAL, logLikelihood, type TermTotals, trends } from './trends.ts';

const row = (term: string, window: number, baseline: number, customers = 5): TermTotals => ({
  term,
  window,
  baseline,
  windowCustomers: window ? customers : 0,
  baselineCustomers: baseline ? customers : 0,
  series: [baseline, window],
});

/** Background vocabulary at a steady rate: 4× the baseline length carries 4× the counts. */
const steady = ['信用卡', '网银', '密码', '转账', '理财', 'account'].map((t, i) =>
  row(t, 10 + i, 40 + 4 * i),
);

test('logLikelihood() is near zero for an unchanged share, positive for a rise and negative for a fall', () => {
  assert.ok(Math.abs(logLikelihood(10, 1000, 40, 4000)) < 0.1);
  assert.ok(logLikelihood(30, 1000, 2, 4000) > G2_CRITICAL);
  assert.ok(logLikelihood(0, 1000, 20, 4000) < -G2_CRITICAL);
  assert.throws(() => logLikelihood(5, 3, 0, 10), RangeError);
});

test('trends() ranks a planted spike of 退款 over its baseline as rising and leaves steady terms alone', () => {
  const r = trends([...steady, row('退款', 25, 4)], { k: 3, limit: 10 });
  assert.deepEqual(
    r.rising.map((t) => t.term),
    ['退款'],
  );
  assert.equal(r.emerging.length, 0);
  assert.ok((r.rising[0]?.ratio ?? 0) > 10);
});

test('trends() lists a term absent from the baseline as emerging and a vanished one as falling', () => {
  const r = trends([...steady, row('盗刷', 12, 0), row('开户', 0, 60)], { k: 3, limit: 10 });
  assert.deepEqual(
    r.emerging.map((t) => t.term),
    ['盗刷'],
  );
  assert.deepEqual(
    r.falling.map((t) => t.term),
    ['开户'],
  );
});

test('trends() hides a term used by only 2 customers however often, and shows it at 3', () => {
  const hidden = trends([...steady, row('退款', 25, 4, 2)], { k: 3, limit: 10 });
  assert.equal(
    [...hidden.rising, ...hidden.top, ...hidden.emerging].some((t) => t.term === '退款'),
    false,
  );
  const shown = trends([...steady, row('退款', 25, 4, 3)], { k: 3, limit: 10 });
  assert.equal(shown.rising[0]?.term, '退款');
});

test('trends() with no baseline yet lists new terms as emerging and still orders the top list by count', () => {
  const r = trends([row('退款', 5, 0), row('网银', 9, 0), row('密码', 3, 0, 2)], { k: 3, limit: 2 });
  assert.deepEqual(
    r.top.map((t) => t.term),
    ['网银', '退款'],
  );
  assert.deepEqual(new Set(r.emerging.map((t) => t.term)), new Set(['网银', '退款']));
});
