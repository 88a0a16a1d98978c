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
import { TicketService } from '../tickets/index.ts';
import type { BackfillState } from './backfill.ts';
import { topicSources } from './sources.ts';
import { TopicMiner, type TopicOptions, type TopicSources } from './topics.ts';

// Real LevelDB for the topic counts; real customers, conversations and tickets on a real bus.
const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');
const pseudonym = (id: string) => blind('analytics_topic', id).slice(0, 16);
/** Noon in Shanghai on 31 March; the branch's zone differs from the UTC day for late-evening UTC times. */
const NOW = new Date('2024-03-31T04:00:00Z');
const ZONE = 'Asia/Shanghai';
const ADMIN = { userId: 'u-admin', roles: ['admin'], permissions: new Set<string>() };

let root: string;
const dbs: DocStore[] = [];
let bus: EventBus;
let conversations: ConversationService;
let tickets: TicketService;
let clock = NOW;
let seq = 0;
const reads: Array<{ actor: string; target: string; action: string }> = [];

async function say(who: string, text: string, at: Date): Promise<string> {
  seq++;
  clock = at;
  const r = await conversations.ingest({
    channel: 'email',
    handles: [{ kind: 'email', value: `${who}@example.cn`, verified: true }],
    externalId: `<m${seq}@example.cn>`,
    threadKey: `<m${seq}@example.cn>`,
    text,
    receivedAt: at,
  });
  return r.customerId;
}

const daysBack = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

async function openDb(name: string): Promise<DocStore> {
  const db = await openPouchStore(join(root, name), 'analytics');
  dbs.push(db);
  return db;
}

function minerOn(db: DocStore, options: Partial<TopicOptions> & { sources?: TopicSources } = {}): TopicMiner {
  return new TopicMiner(db, {
    bus,
    sources: topicSources({ conversations, tickets }, { recordRead: async (r) => void reads.push(r) }),
    pseudonym,
    now: () => NOW,
    timeZone: ZONE,
    backfillPage: 4,
    ticketBatchMs: 60_000,
    ...options,
  });
}

async function untilDone(miner: TopicMiner): Promise<BackfillState> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await miner.backfillState();
    if (s && s.status !== 'running') return s;
    if (Date.now() > deadline) throw new Error(`backfill still running: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const termCount = async (db: DocStore, term: string) =>
  (await db.list<{ term: string; n: number }>({ prefix: 'tm:' }))
    .filter((d) => d.term === term)
    .reduce((a, d) => a + d.n, 0);

let lateCustomer = '';
/** Messages (10 挂失, 16 background, 1 late, 3 before tickets) and 3 ticket subjects. */
const SOURCES = 10 + 16 + 1 + 3 + 3;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'bl-topic-backfill-'));
  bus = new EventBus();
  const customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  conversations = new ConversationService(new ConversationStore(new MemoryDocStore('conv'), blind), {
    customers,
    bus,
    now: () => clock,
  });
  tickets = new TicketService({
    bus,
    tickets: new MemoryDocStore('tickets'),
    definitions: new MemoryDocStore('ticket-defs'),
    now: () => clock,
  });
  await tickets.seed();
  // Before the upgrade: nobody counted these. 10 customers over 10 days, 16 background messages, 3 tickets.
  for (let i = 0; i < 10; i++) await say(`c${i}`, '我的信用卡挂失了，电话13800138000', daysBack(i + 1));
  const background = [
    '转账到账很慢',
    '理财产品收益',
    '预约开户',
    '贷款利率',
    '网点排队',
    '社保卡激活',
    '医保缴费',
    '汇款手续费',
  ];
  for (let i = 0; i < 16; i++) await say(`b${i % 8}`, background[i % 8] as string, daysBack(1 + (i % 5)));
  lateCustomer = await say('late', '网银转账失败', new Date('2024-03-29T23:30:00Z'));
  for (let i = 0; i < 3; i++) {
    const customerId = await say(`t${i}`, '你好', daysBack(2));
    await tickets.lifecycle.create({ subject: 'Refund delayed again', description: 'x', customerId }, ADMIN);
  }
});

after(async () => {
  await tickets.close();
  bus.close();
  for (const db of dbs) await db.close();
  await rm(root, { recursive: true, force: true });
});

test('backfill() counts old messages and ticket subjects once, a second run counts nothing more, and each run is audited once', async () => {
  const db = await openDb('once');
  const miner = minerOn(db);
  miner.start();
  reads.length = 0;
  const first = await miner.backfill({ userId: 'u-admin', source: '10.0.0.5' });
  assert.equal(first.status, 'running');
  const done = await untilDone(miner);
  assert.equal(done.status, 'done');
  assert.equal(done.counted, SOURCES, JSON.stringify(done));
  assert.equal(await termCount(db, '挂失'), 10);
  assert.equal(await termCount(db, 'refund'), 3);
  assert.deepEqual(reads, [
    {
      actor: 'u-admin',
      target: `analytics:topics_backfill:${first.runId}`,
      action: 'analytics.topics_backfill',
      source: '10.0.0.5',
    },
  ]);

  const again = await miner.backfill({ userId: 'u-admin' });
  assert.notEqual(again.runId, first.runId);
  const second = await untilDone(miner);
  assert.equal(second.counted, 0);
  assert.equal(second.skipped, SOURCES);
  assert.equal(await termCount(db, '挂失'), 10, 'not doubled');
  assert.equal(reads.length, 2);
  const report = await miner.topics({ days: 7, baseline: 28, limit: 20 });
  assert.ok(report.top.some((t) => t.term === '信用卡 挂失' && t.window === 6));
  assert.equal(
    report.top.some((t) => t.term === '挂失'),
    false,
    'every 挂失 was in the phrase',
  );
  await miner.close();
});

test('a message at 23:30 UTC is counted on the next calendar day of Asia/Shanghai', async () => {
  const db = dbs[0] as DocStore;
  const docs = await db.list<{ day: string; term: string; p: string[] }>({ prefix: 'tm:' });
  const online = docs.filter((d) => d.term === '网银');
  assert.deepEqual(
    online.map((d) => d.day),
    ['2024-03-30'],
  );
  assert.deepEqual(online[0]?.p, [pseudonym(lateCustomer)]);
});

test('a backfill stopped by a restart continues from its saved cursor without a second audit record', async () => {
  const db = await openDb('restart');
  let gate: (() => void) | undefined;
  const base = topicSources({ conversations, tickets }, { recordRead: async (r) => void reads.push(r) });
  let pages = 0;
  const gated: TopicSources = {
    ...base,
    messagesOf: async (id) => {
      // The second page waits until the test has begun closing the process.
      if (++pages === 5) await new Promise<void>((r) => (gate = r));
      return (base.messagesOf as NonNullable<TopicSources['messagesOf']>)(id);
    },
  };
  reads.length = 0;
  const first = minerOn(db, { sources: gated });
  first.start();
  await first.backfill({ userId: 'u-admin' });
  const deadline = Date.now() + 10_000;
  while (!gate && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(gate, 'the second page began');
  const closing = first.close();
  gate();
  await closing;
  const stopped = await first.backfillState();
  assert.equal(stopped?.status, 'running');
  assert.equal(stopped?.phase, 'messages');
  assert.ok(stopped?.cursor, 'a cursor was saved after the first page');
  // One page: 4 conversations (a background customer's holds 2 messages).
  assert.ok((stopped?.counted ?? 0) >= 4 && (stopped?.counted ?? 0) <= 8, String(stopped?.counted));

  const second = minerOn(db);
  second.start();
  const done = await untilDone(second);
  assert.equal(done.runId, stopped?.runId);
  assert.equal(done.counted, SOURCES);
  assert.equal(await termCount(db, '挂失'), 10);
  assert.equal(reads.length, 1, 'the run was audited when it began, not again on resuming');
  await second.close();
});

test('new tickets are read in one batch under one audit record with their count, digest and ids, and a later backfill skips them', async () => {
  const db = await openDb('live');
  const miner = minerOn(db);
  miner.start();
  reads.length = 0;
  const ids: string[] = [];
  // Sixteen tickets: a target joining their ids (over 500 chars) used to fail the whole batch.
  for (let i = 0; i < 16; i++) {
    clock = NOW;
    const customerId = await say(`n${i}`, '你好', NOW);
    ids.push(
      (await tickets.lifecycle.create({ subject: 'Mortgage statement', description: 'x', customerId }, ADMIN))
        .id,
    );
  }
  await miner.idle();
  assert.equal(reads.length, 1, 'one audit record for the batch');
  const read = reads[0] as (typeof reads)[number] & { details?: Record<string, unknown> };
  assert.equal(read.actor, 'system:analytics');
  assert.equal(read.action, 'analytics.ticket_subjects_read');
  assert.match(read.target, /^ticket:batch:sha256-[\w-]{43}$/, 'a target that does not grow with the batch');
  assert.equal(read.details?.['count'], 16);
  assert.deepEqual(read.details?.['ids'], [...ids].sort());
  assert.equal(read.target, `ticket:batch:${read.details?.['digest']}`);
  assert.equal(await termCount(db, 'mortgage'), 16);
  await miner.backfill({ userId: 'u-admin' });
  await untilDone(miner);
  assert.equal(await termCount(db, 'mortgage'), 16, 'counted live, so skipped by the backfill');
  await miner.close();
});

test('a backfill skips text from when the miner counted without source marks (an upgrade), and counts what came before', async () => {
  const db = await openDb('legacy');
  // Counts left by the previous version since 28 March (Shanghai), without marks.
  await db.put({ _id: 'tm:2024-03-28:网银', day: '2024-03-28', term: '网银', n: 1, p: ['x'] });
  const miner = minerOn(db);
  miner.start();
  await miner.backfill({ userId: 'u-admin' });
  const done = await untilDone(miner);
  // 挂失 messages 1–10 days back at noon Shanghai: 27 March and before are counted (7), later are not.
  assert.equal(await termCount(db, '挂失'), 7);
  assert.equal(await termCount(db, '网银'), 1, 'the 30 March message was counted live already');
  assert.equal(done.status, 'done');
  await miner.close();
});
