import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConversationService, ConversationStore } from '../../conversations/index.ts';
import { CustomerService } from '../../customers/index.ts';
import { EventBus } from '../../events/index.ts';
import { type DocStore, type NewDoc, openPouchStore, type PouchDocStore } from '../../storage/index.ts';
import { WechatInbox } from './inbox.ts';
import { dedupeKey, toInbound } from './map.ts';
import { parseWechatXml } from './xml.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

const xml =
  '<xml><ToUserName>gh_1</ToUserName><FromUserName>oUser1</FromUserName><CreateTime>1733565000</CreateTime>' +
  '<MsgType>text</MsgType><Content>hello</Content><MsgId>7100677728007</MsgId></xml>';

/**
 * A process that a kill -9 hits right after the conversations database committed a
 * message document: every later write of this process, to any store, fails.
 */
class Kill {
  dead = false;

  wrap(db: PouchDocStore): DocStore {
    const die = () => Promise.reject(new Error('injected: process killed'));
    const after = <R>(docs: Array<{ _id: string }>, write: () => Promise<R>) =>
      this.dead
        ? die()
        : write().then((r) => {
            if (db.name === 'conversations' && docs.some((d) => d._id.startsWith('m:'))) this.dead = true;
            return r;
          });
    return new Proxy(db, {
      get: (target, prop, receiver) => {
        if (prop === 'put' || prop === 'create')
          return (doc: NewDoc<object>) => after([doc], () => target[prop](doc));
        if (prop === 'bulkPut') return (docs: NewDoc<object>[]) => after(docs, () => target.bulkPut(docs));
        if (prop === 'remove')
          return (id: string, rev: string) => (this.dead ? die() : target.remove(id, rev));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
}

/** One appliance process: inbox and conversations over the LevelDB stores in `dir`. */
async function boot(dir: string, crash: boolean) {
  const bus = new EventBus();
  const inboxDb = await openPouchStore(dir, 'channel-wechat');
  const convDb = await openPouchStore(dir, 'conversations');
  const custDb = await openPouchStore(dir, 'customers');
  const customers = new CustomerService(custDb, {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  const kill = new Kill();
  const live = (db: PouchDocStore) => (crash ? kill.wrap(db) : db);
  const store = new ConversationStore(live(convDb), blind);
  const conversations = new ConversationService(store, { customers, bus });
  const inbox = new WechatInbox(live(inboxDb), { retryMs: 60_000 });
  inbox.start(async (item) => {
    await conversations.ingest(toInbound(item.flavour, parseWechatXml(item.xml), new Date(item.receivedAt)));
  });
  const close = async () => {
    await inbox.close();
    for (const db of [inboxDb, convDb, custDb]) await db.close();
  };
  return { inbox, inboxDb, convDb, kill, close };
}

test('a message stored just before kill -9 is not stored again when the inbox item is drained after restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wechat-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = dedupeKey('wechat', parseWechatXml(xml));

  const first = await boot(dir, true);
  assert.equal(await first.inbox.accept('wechat', key, xml, new Date('2026-12-07T10:00:00Z')), true);
  await first.inbox.idle();
  assert.equal(first.kill.dead, true, 'the message was committed before the kill');
  assert.equal(
    (await first.inboxDb.list({ prefix: 'q:' })).length,
    1,
    'killed before the inbox item was removed',
  );
  await first.close();

  const second = await boot(dir, false);
  await second.inbox.idle();
  assert.deepEqual(
    await second.inboxDb.list({ prefix: 'q:' }),
    [],
    'the leftover item was drained after restart',
  );
  const messages = await second.convDb.list<{ externalId: string }>({ prefix: 'm:' });
  assert.deepEqual(
    messages.map((m) => m.externalId),
    ['wechat:7100677728007'],
    'the acknowledged message is present exactly once',
  );
  await second.close();
});
