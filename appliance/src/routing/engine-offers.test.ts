import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harness, scenarioTests } from './test-harness.ts';

scenarioTests([
  [
    'RONA: an unanswered offer puts the agent not-ready (rona) and requeues the task at its original age',
    [
      ['agent', 'slow'],
      ['agent', 'next'],
      ['state', 'slow', 'available'],
      ['task', 'old'],
      ['offered', 'old', 'slow'],
      ['wait', 5],
      ['task', 'young'],
      ['wait', 15],
      ['agentIs', 'slow', 'not_ready', 'rona'],
      ['waiting', 'old'],
      ['createdAt', 'old', 0],
      ['state', 'next', 'available'],
      ['offered', 'old', 'next'],
      ['waiting', 'young'],
    ],
  ],
  [
    'a rejected offer goes to the next agent and never back to the one who rejected it',
    [
      ['agent', 'a'],
      ['agent', 'b'],
      ['state', 'a', 'available'],
      ['state', 'b', 'available'],
      ['task', 't', {}, { channel: 'email' }],
      ['offered', 't', 'a'],
      ['reject', 't'],
      ['offered', 't', 'b'],
      ['reject', 't'],
      ['waiting', 't'],
    ],
  ],
]);

test('going offline cancels open offers and requeues them to another agent', () => {
  const h = harness();
  h.run([
    ['agent', 'a'],
    ['agent', 'b'],
    ['state', 'a', 'available'],
    ['task', 't'],
    ['offered', 't', 'a'],
  ]);
  h.run([
    ['state', 'b', 'available'],
    ['state', 'a', 'offline'],
    ['offered', 't', 'b'],
  ]);
  assert.ok(h.events.some((e) => e.type === 'offer_cancelled'));
});
