import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLock } from './keyed-lock.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

test('run() serialises tasks for one key and lets a task run after a failed one', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  const first = lock.run('doc', async () => {
    await tick();
    order.push('first');
    throw new Error('boom');
  });
  const second = lock.run('doc', async () => {
    order.push('second');
    return 2;
  });
  await assert.rejects(first, /boom/);
  assert.equal(await second, 2);
  assert.deepEqual(order, ['first', 'second']);
});

test('run() lets tasks for different keys overlap', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  await Promise.all([
    lock.run('a', async () => {
      await tick();
      order.push('a');
    }),
    lock.run('b', async () => {
      order.push('b');
    }),
  ]);
  assert.deepEqual(order, ['b', 'a']);
});
