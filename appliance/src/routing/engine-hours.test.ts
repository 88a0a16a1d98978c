import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateWait } from './insight.ts';
import { harness, scenarioTests } from './test-harness.ts';

scenarioTests([
  [
    'business-hours closure: outside hours the default workflow rejects with reason closed',
    [
      ['agent', 'a'],
      ['state', 'a', 'available'],
      ['wait', 8 * 3600],
      ['task', 'night'],
      ['outcome', 'night', 'rejected:closed'],
    ],
  ],
  [
    'business-hours closure with a callback workflow: the task is kept as a callback',
    [
      ['wait', 8 * 3600],
      ['task', 'night', {}, { workflowId: 'after-hours' }],
      ['outcome', 'night', 'queued'],
      ['waiting', 'night'],
    ],
  ],
]);

test('the callback task keeps its place in the queue and is marked callback', () => {
  const h = harness();
  h.run([
    ['task', 'first'],
    ['wait', 5],
    ['task', 'second'],
    ['wait', 5],
    ['task', 'third'],
  ]);
  const view = h.engine.requestCallback('first');
  assert.ok(view.callback);
  assert.equal(estimateWait(h.engine, 'first').position, 1);
  assert.equal(estimateWait(h.engine, 'third').position, 3);
  h.run([
    ['agent', 'a'],
    ['state', 'a', 'available'],
    ['offered', 'first', 'a'],
  ]);
});
