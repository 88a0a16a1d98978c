import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConversationService, ConversationStore } from '../conversations/index.ts';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { type DocStore, MemoryDocStore, openPouchStore } from '../storage/index.ts';
import { AnalyticsService } from './service.ts';
import { topicSources } from './sources.ts';
import { TopicMiner, type TopicReport } from './topics.ts';

// Real LevelDB for analytics, real conversation and customer services publishing real events on a real bus.
const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');
const pseudonym = (id: string) => blind('analytics_topic', id).slice(0, 16);
const NOW = new Date(2024, 2, 30, 12, 0, 0);
const noonBefore = (back: number) => new Date(2024, 2, 30 - back, 12, 0, 0);

let dir: string;
let db: DocStore;
let bus: EventBus;
let customers: CustomerService;
let conversations: ConversationService;
let analytics: AnalyticsService;
let miner: TopicMiner;
let clock = NOW;
let seq = 0;
const idsOf = new Map<string, string>();
let report: TopicReport;

async function say(who: string, text: string, back: number, attributes: Record<string, string> = {}) {
  seq++;
  clock = noonBefore(back);
  const r = await conversations.ingest({
    channel: 'email',
    handles: [{ kind: 'email', value: `${who}@example.cn`, verified: true }],
    externalId: `<m${seq}@example.cn>`,
    threadKey: `<m${seq}@example.cn>`,
    text,
    receivedAt: clock,
    attributes,
  });
  idsOf.set(who, r.customerId);
  return r;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-topics-'));
  db = await openPouchStore(dir, 'analytics');
  bus = new EventBus();
  customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  conversations = new ConversationService(new ConversationStore(new MemoryDocStore('conv'), blind), {
    customers,
    bus,
    now: () => clock,
  });
  analytics = new AnalyticsService(db, { bus, now: () => NOW });
  await analytics.start();
  miner = new TopicMiner(db, {
    bus,
    sources: topicSources({ conversations }),
    pseudonym,
    facts: (from, to) => analytics.facts(from, to),
    now: () => NOW,
  });
  miner.start();

  const background = ['网银密码忘记了', '信用卡账单怎么查询', '转账限额是多少'];
  for (let back = 0; back < 35; back++) {
    for (const [i, text] of background.entries()) await say(`bg${(back + i) % 10}`, text, back);
  }
  await say('r1', '想问退款进度', 20);
  await say('r2', '退款什么时候到账', 12);
  const refunds = ['r1', 'r2', 'r3', 'r4', 'r5', 'r3'];
  for (const [i, who] of refunds.entries()) {
    const r = await say(who, `我要退款，电话13800138000，邮箱 zhang.san@example.com`, i % 7, {
      intent: 'refund',
    });
    await conversations.transition(r.contactId, 'active', { agentId: 'u1' });
    await conversations.transition(r.contactId, 'wrap_up', { wrapUpCode: 'refund_request' });
  }
  for (const [i, who] of ['w1', 'w2', 'w1', 'w2'].entries()) await say(who, '理财收益', i);
  await miner.idle();
  await analytics.idle();
  report = await miner.topics({ days: 7, baseline: 28, limit: 20 });
});

after(async () => {
  await miner.close();
  await analytics.close();
  bus.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const listed = (r: TopicReport) => [...r.emerging, ...r.rising, ...r.falling, ...r.top];

test('topics() ranks planted 退款 messages of 5 customers over a quiet baseline as rising, with daily counts, and a steady sentence as phrases', () => {
  const refund = report.rising.find((t) => t.term === '退款');
  assert.ok(refund, JSON.stringify(report.rising.map((t) => t.term)));
  assert.equal(refund.window, 6);
  assert.equal(refund.baseline, 2);
  assert.equal(refund.customers, 5);
  assert.equal(refund.series.length, 35);
  assert.equal(
    refund.series.slice(28).reduce((a, b) => a + b, 0),
    6,
  );
  assert.equal(report.days.length, 35);
  assert.equal(
    report.rising.some((t) => t.term === '网银'),
    false,
    'a steady term is not rising',
  );
  // The steady sentence's words always come together, so the top list shows them as phrases, not twice.
  assert.ok(report.top.some((t) => t.term === '网银 密码'));
  assert.equal(
    report.top.some((t) => t.term === '网银'),
    false,
  );
});

test('topics() never shows a phone number, an email address or part of one, nor a term of only 2 customers', () => {
  for (const t of listed(report)) {
    assert.doesNotMatch(t.term, /\d|@|example|zhang/, t.term);
    assert.notEqual(t.term, '理财');
    assert.notEqual(t.term, '收益');
  }
});

test('only per-day term counts are stored: no message text, phone, email or customer id in clear', async () => {
  const docs = await db.list<Record<string, unknown>>({ prefix: 'tm:' });
  assert.ok(docs.length > 5);
  const dump = JSON.stringify(docs);
  for (const secret of ['13800138000', 'zhang.san', '我要退款', '网银密码忘记了', ...idsOf.values()])
    assert.equal(dump.includes(secret), false, secret);
  assert.deepEqual(Object.keys(docs[0] ?? {}).sort(), ['_id', '_rev', 'day', 'n', 'p', 'term']);
});

test('topics() counts contacts by intent and wrap-up code per day in the window', () => {
  const intent = report.labels.intent.find((l) => l.label === 'refund');
  assert.equal(intent?.total, 6);
  assert.equal(intent?.series.length, 7);
  assert.equal(report.labels.wrapUp.find((l) => l.label === 'refund_request')?.total, 6);
});

test('behaviour() over the real facts sees the email channel mix and the repeat contacts', async () => {
  const b = await analytics.behaviour({ days: 7 });
  assert.equal(b.contacts, 7 * 3 + 6 + 4);
  assert.deepEqual(
    b.channelMix.map((c) => c.channel),
    ['email'],
  );
  assert.ok((b.repeat.rate ?? 0) > 0.5);
});

test('shredding a customer removes their pseudonym from every term count and keeps the counts', async () => {
  const id = idsOf.get('r3') as string;
  const before = (await db.list<{ p: string[] }>({ prefix: 'tm:' })).filter((d) =>
    d.p.includes(pseudonym(id)),
  );
  assert.ok(before.length > 0);
  await customers.shred(id, { userId: 'dpo' });
  await miner.idle();
  const docs = await db.list<{ p: string[]; n: number; term: string }>({ prefix: 'tm:' });
  assert.equal(docs.filter((d) => d.p.includes(pseudonym(id))).length, 0);
  const after = await miner.topics({ days: 7, baseline: 28, limit: 20 });
  const refund = after.rising.find((t) => t.term === '退款');
  assert.equal(refund?.window, 6);
  assert.equal(refund?.customers, 4);
});
