import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateWait, matchTest } from './insight.ts';
import { harness } from './test-harness.ts';

test('estimated wait time is AHT × position / staffed slots', () => {
  const h = harness();
  h.run([
    ['agent', 'a', { capacity: { email: 2 }, totalCapacity: 2 }],
    ['state', 'a', 'available'],
    ['task', 'e1', {}, { channel: 'email' }],
    ['accept', 'e1'],
    ['wait', 100],
    ['complete', 'e1'],
    ['task', 'e2', {}, { channel: 'email' }],
    ['task', 'e3', {}, { channel: 'email' }],
    ['accept', 'e2'],
    ['accept', 'e3'],
    ['task', 'e4', {}, { channel: 'email' }],
    ['task', 'e5', {}, { channel: 'email' }],
  ]);
  const w = estimateWait(h.engine, 'e5');
  assert.equal(w.position, 2);
  assert.equal(w.averageHandleSeconds, 100);
  assert.equal(w.staffedSlots, 2);
  assert.equal(w.ewtSeconds, 100);
  h.run([['state', 'a', 'not_ready', 'lunch']]);
  assert.equal(estimateWait(h.engine, 'e5').ewtSeconds, null);
});

test('matchTest lists the matching agents first and says why the others fail', () => {
  const h = harness();
  h.run([
    ['agent', 'fit', { skills: { billing: 4 } }],
    ['agent', 'low', { skills: { billing: 2 } }],
    ['agent', 'none'],
  ]);
  const r = matchTest(h.engine, { attributes: { intent: 'billing' }, channel: 'voice' });
  assert.equal(r.filter, 'billing-zh');
  const rows = r.targets[0]?.agents ?? [];
  assert.deepEqual(
    rows.map((x) => [x.userId, x.matches]),
    [
      ['fit', true],
      ['low', false],
      ['none', false],
    ],
  );
  assert.match(rows[1]?.why ?? '', /fails 'skills.billing >= 3 && 'zh' in languages' \(skills.billing=2/);
  assert.match(rows[2]?.why ?? '', /not in queue 'billing'/);
});
