import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore, type StoredDoc } from '../storage/index.ts';
import { ConversationService } from './service.ts';
import { ConversationStore } from './store.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

/** Counts contact documents read (this adapter's `list` reads through `get` too). */
class CountingStore extends MemoryDocStore {
  reads = 0;
  override async get<T extends object>(id: string): Promise<StoredDoc<T> | undefined> {
    if (id.startsWith('ct:')) this.reads++;
    return super.get<T>(id);
  }
}

async function setup() {
  const bus = new EventBus();
  const customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  let t = Date.parse('2026-01-01T00:00:00Z');
  const db = new CountingStore('conv');
  const store = new ConversationStore(db, blind);
  const conversations = new ConversationService(store, {
    customers,
    bus,
    now: () => {
      t += 60_000;
      return new Date(t);
    },
  });
  const mail = (from: string, n: number) =>
    conversations.ingest({
      channel: 'email',
      handles: [{ kind: 'email', value: from }],
      externalId: `<${from}-${n}>`,
      threadKey: `<${from}-thread-${n}>`,
      text: `message ${n}`,
      receivedAt: new Date(t),
    });
  return { db, store, conversations, mail };
}

describe('the bounded customer 360', () => {
  test('recentContacts() gives a customer’s 50 newest contacts from the index, reading about that many documents', async () => {
    const { db, conversations, mail } = await setup();
    const li: string[] = [];
    for (let n = 0; n < 120; n++) {
      li.push((await mail('li@example.cn', n)).contactId);
      if (n % 40 === 0) await mail('wang@example.cn', n);
    }
    const customerId = (await conversations.getContact(li[0] ?? '')).customerId;
    db.reads = 0;
    const recent = await conversations.recentContacts([customerId], 50);
    assert.deepEqual(
      recent.map((c) => c.id),
      li.slice(-50).reverse(),
      'newest first, only this customer',
    );
    assert.equal(db.reads, 50, 'reads the 50 contacts it returns, not all 123');
    const timeline = await conversations.recentTimeline([customerId], 30);
    assert.deepEqual(
      timeline.map((m) => m.text),
      Array.from({ length: 30 }, (_, i) => `message ${90 + i}`),
      'the latest 30 messages in time order',
    );
  });

  test('indexContacts() restores the index for contacts stored before it existed', async () => {
    const { db, store, conversations, mail } = await setup();
    const ids = [(await mail('li@example.cn', 1)).contactId, (await mail('li@example.cn', 2)).contactId];
    const customerId = (await conversations.getContact(ids[0] ?? '')).customerId;
    for (const e of await db.list({ prefix: 'cx:' })) await db.remove(e._id, e._rev);
    assert.deepEqual(await conversations.recentContacts([customerId], 50), []);
    assert.equal(await store.indexContacts(1), 2);
    assert.equal(await store.indexContacts(), 2, 'a rerun is harmless');
    assert.deepEqual(
      (await conversations.recentContacts([customerId], 50)).map((c) => c.id),
      [...ids].reverse(),
    );
  });
});
