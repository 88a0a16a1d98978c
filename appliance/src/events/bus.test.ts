import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLogSink } from '../logging/index.ts';
import { EventBus } from './bus.ts';

test('publish() delivers to typed and wildcard subscribers with a UTC timestamp', async () => {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.subscribe('user.frozen', (e) => {
    seen.push(`typed:${e.data.userId}`);
  });
  bus.subscribe('*', (e) => {
    seen.push(`any:${e.type}`);
  });
  const e = await bus.publish('user.frozen', { userId: 'u1', username: 'ann' }, { actor: 'u0' });
  assert.deepEqual(seen, ['typed:u1', 'any:user.frozen']);
  assert.match(e.at, /Z$/);
  assert.equal(e.actor, 'u0');
});

test('a throwing handler does not stop the others or the publisher', async () => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  const bus = new EventBus();
  let ran = false;
  bus.subscribe('user.created', () => {
    throw new Error('boom');
  });
  bus.subscribe('user.created', () => {
    ran = true;
  });
  await bus.publish('user.created', { userId: 'u', username: 'x', roles: [] });
  assert.ok(ran);
  assert.ok(lines.some((l) => l.includes('event handler failed')));
  setLogSink((l) => process.stderr.write(l + '\n'));
});

test('unsubscribe() stops delivery', async () => {
  const bus = new EventBus();
  let n = 0;
  const off = bus.subscribe('role.deleted', () => {
    n++;
  });
  await bus.publish('role.deleted', { roleId: 'r' });
  off();
  await bus.publish('role.deleted', { roleId: 'r' });
  assert.equal(n, 1);
});
