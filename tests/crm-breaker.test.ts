import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from '../appliance/src/crm/index.ts';

test('the breaker opens after the threshold, lets one probe through when half-open, and closes on its success', () => {
  let now = 0;
  const changes: string[] = [];
  const b = new CircuitBreaker({
    failureThreshold: 2,
    openMs: 1000,
    now: () => now,
    onChange: (s) => changes.push(s),
  });
  b.failure();
  assert.equal(b.state, 'closed');
  b.failure();
  assert.equal(b.state, 'open');
  assert.equal(b.tryAcquire(), false);
  now = 1000;
  assert.equal(b.state, 'half_open');
  assert.equal(b.tryAcquire(), true);
  assert.equal(b.tryAcquire(), false, 'only one probe at a time');
  b.failure();
  assert.equal(b.state, 'open');
  now = 2000;
  assert.equal(b.tryAcquire(), true);
  b.success();
  assert.equal(b.state, 'closed');
  assert.deepEqual(changes, ['open', 'half_open', 'open', 'half_open', 'closed']);
});
