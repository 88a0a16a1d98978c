import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../events/index.ts';
import { type ListOptions, MemoryDocStore, type StoredDoc } from '../../storage/index.ts';
import { WechatInbox } from './inbox.ts';

/** An inbox store whose listing fails while `down` is set (a disk error under the worker). */
class FlakyStore extends MemoryDocStore {
  down = false;
  override list<T extends object>(options?: ListOptions): Promise<StoredDoc<T>[]> {
    if (this.down) return Promise.reject(new Error('injected: inbox store unavailable'));
    return super.list<T>(options);
  }
}

const at = new Date('2025-03-01T08:00:00Z');

test('the inbox worker survives a failing store: one alarm, back-off, and the waiting message is ingested once the store is back', async (t) => {
  const store = new FlakyStore('channel-wechat');
  const bus = new EventBus();
  const alarms: string[] = [];
  bus.subscribe('system.alarm_raised', (e) => {
    alarms.push(`${e.data.alarm} ${e.data.detail}`);
  });
  const inbox = new WechatInbox(store, { retryMs: 100, bus });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const settle = async (ms: number) => {
    t.mock.timers.tick(ms);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  const got: string[] = [];
  store.down = true;
  inbox.start(async (item) => {
    got.push(item.xml);
  });
  assert.equal(await inbox.accept('wechat', 'k1', '<xml>1</xml>', at), true);
  await settle(0);
  assert.equal(inbox.status.failures, 1);
  await settle(100);
  assert.equal(inbox.status.failures, 2, 'retried after the back-off');
  assert.equal(alarms.length, 1, 'one alarm per outage');
  assert.match(
    alarms[0] ?? '',
    /^system\.loop_failing wechat\.inbox: Error: injected: inbox store unavailable/,
  );
  store.down = false;
  await settle(200);
  assert.deepEqual(got, ['<xml>1</xml>']);
  assert.equal(inbox.status.failures, 0);
  await inbox.close();
});

test('concurrent accept() of one key stores one work item and one marker, and the drain ingests it once', async () => {
  const store = new MemoryDocStore('channel-wechat');
  const inbox = new WechatInbox(store);
  const got: string[] = [];
  inbox.start(async (item) => {
    got.push(item.xml);
  });
  const accepted = await Promise.all([1, 2, 3].map(() => inbox.accept('wechat', 'k1', '<xml>1</xml>', at)));
  assert.deepEqual(accepted.sort(), [false, false, true]);
  await inbox.idle();
  assert.deepEqual(got, ['<xml>1</xml>']);
  assert.deepEqual(await store.list({ prefix: 'q:' }), []);
  assert.equal((await store.list({ prefix: 'seen:' })).length, 1);
  await inbox.close();
});
