import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type DomainEvent, EventBus } from '../events/index.ts';
import { openPouchStore } from '../storage/index.ts';
import { AnalyticsService } from './service.ts';

const DAY = '2024-03-01T00:00:00.000Z';
let seq = 0;

/** A scripted event as the bus would deliver it (ids fixed so replays repeat them). */
function ev(type: string, data: Record<string, unknown>, at: string): DomainEvent {
  seq++;
  return { id: `e${seq}`, type, at, actor: 'system', data } as unknown as DomainEvent;
}

function contact(
  id: string,
  state: string,
  at: string,
  queuedAt: string,
  extra: Record<string, unknown> = {},
) {
  const channel = id === 'c4' ? 'voice' : 'webchat';
  return ev(
    `contact.${state}`,
    {
      contactId: id,
      conversationId: `v-${id}`,
      customerId: `cust-${id === 'c2' ? 'c1' : id}`,
      channel,
      attributes: {},
      queuedAt,
      at,
      ...extra,
    },
    at,
  );
}

const t = (hms: string) => `2024-03-01T${hms}.000Z`;

/** Five contacts in the 02:00 interval: two answered (one within 20 s), a short and a long abandon, one waiting. */
function script(): DomainEvent[] {
  seq = 0;
  const q1 = t('02:00:00');
  const q2 = t('02:01:00');
  return [
    ev(
      'agent.state_changed',
      { userId: 'a1', state: 'available', previous: 'offline', recipientUserId: 'a1' },
      q1,
    ),
    ev(
      'agent.state_changed',
      { userId: 'a2', state: 'not_ready', previous: 'offline', recipientUserId: 'a2' },
      q1,
    ),
    contact('c1', 'queued', q1, q1),
    ev(
      'routing.task_queued',
      { taskId: 'c1', contactId: 'c1', queueId: 'chat', channel: 'webchat', priority: 0 },
      q1,
    ),
    contact('c1', 'offered', t('02:00:05'), q1, { agentId: 'a1' }),
    contact('c1', 'active', t('02:00:10'), q1, { agentId: 'a1' }),
    contact('c2', 'queued', q2, q2),
    ev(
      'routing.task_queued',
      { taskId: 'c2', contactId: 'c2', queueId: 'chat', channel: 'webchat', priority: 0 },
      q2,
    ),
    contact('c2', 'active', t('02:01:30'), q2, { agentId: 'a1' }),
    contact('c3', 'queued', t('02:02:00'), t('02:02:00')),
    contact('c3', 'abandoned', t('02:02:10'), t('02:02:00')),
    contact('c4', 'queued', t('02:03:00'), t('02:03:00')),
    ev(
      'routing.task_queued',
      { taskId: 'c4', contactId: 'c4', queueId: 'voice', channel: 'voice', priority: 0 },
      q2,
    ),
    contact('c4', 'abandoned', t('02:04:00'), t('02:03:00')),
    contact('c2', 'wrap_up', t('02:03:30'), q2, { agentId: 'a1' }),
    contact('c2', 'closed', t('02:04:30'), q2, { agentId: 'a1' }),
    contact('c1', 'wrap_up', t('02:05:10'), q1, { agentId: 'a1' }),
    contact('c1', 'closed', t('02:06:10'), q1, { agentId: 'a1' }),
    ev(
      'contact.csat_recorded',
      { contactId: 'c1', customerId: 'cust-c1', channel: 'webchat', score: 5 },
      t('02:06:30'),
    ),
    ev(
      'contact.csat_recorded',
      { contactId: 'c2', customerId: 'cust-c1', channel: 'webchat', score: 2 },
      t('02:06:40'),
    ),
    contact('c5', 'queued', t('02:10:00'), t('02:10:00')),
  ];
}

async function withService(fn: (svc: AnalyticsService, dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'bl-analytics-'));
  const db = await openPouchStore(dir, 'analytics');
  const svc = new AnalyticsService(db, { now: () => new Date(t('02:11:00')), dayStart: () => new Date(DAY) });
  try {
    await svc.start();
    await fn(svc, dir);
  } finally {
    await svc.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const EXPECTED = {
  offered: 5,
  answered: 2,
  abandoned: 2,
  handled: 2,
  answerRate: 0.4,
  abandonRate: 0.4,
  serviceLevel: 1 / 3,
  serviceLevelSeconds: 20,
  ahtSeconds: 270,
  asaSeconds: 20,
  maxWaitSeconds: 60,
  csatAverage: 3.5,
  csatPositiveRate: 0.5,
  csatCount: 2,
};

test('folding a scripted day gives exact answer rate, service level, AHT, abandonment and CSAT', async () => {
  await withService(async (svc) => {
    for (const e of script()) await svc.apply(e);
    const wb = svc.wallboard();
    assert.deepEqual(wb.kpis, EXPECTED);
    assert.equal(wb.waiting, 1);
    assert.equal(wb.longestWaitSeconds, 60);
    assert.deepEqual(wb.agents, { available: 1, notReady: 1, offline: 0, onContact: 0 });
    assert.deepEqual(
      wb.byQueue.map((q) => [q.queue, q.kpis.offered, q.kpis.answered, q.waiting]),
      [
        ['-', 2, 0, 1],
        ['chat', 2, 2, 0],
        ['voice', 1, 0, 0],
      ],
    );
    const rows = await svc.intervals({ from: t('02:00:00'), to: t('03:00:00') });
    assert.deepEqual(
      rows.map((r) => [r.bucket, r.queue, r.channel, r.offered, r.answered, r.abandoned]),
      [
        [t('02:00:00'), '-', 'webchat', 2, 0, 1],
        [t('02:00:00'), 'chat', 'webchat', 2, 2, 0],
        [t('02:00:00'), 'voice', 'voice', 1, 0, 1],
      ],
    );
  });
});

test('replaying every event, forwards and backwards, leaves the numbers unchanged', async () => {
  await withService(async (svc) => {
    const events = script();
    for (const e of events) await svc.apply(e);
    for (const e of events.reverse()) await svc.apply(e);
    assert.deepEqual(svc.wallboard().kpis, EXPECTED);
    const before = await svc.intervals({ from: DAY, to: t('23:00:00') });
    assert.equal(
      before.reduce((n, r) => n + r.offered, 0),
      5,
    );
  });
});

test('an agent holding an active contact counts as on a contact until wrap-up ends', async () => {
  await withService(async (svc) => {
    const events = script();
    for (const e of events.slice(0, 6)) await svc.apply(e);
    assert.equal(svc.wallboard().agents.onContact, 1);
    assert.equal(svc.wallboard().waiting, 0);
  });
});

test('wallboard pushes are throttled to at most one per second however many events arrive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-analytics-'));
  const db = await openPouchStore(dir, 'analytics');
  const bus = new EventBus();
  const pushed: unknown[] = [];
  bus.subscribe('analytics.wallboard_updated', (e) => void pushed.push(e.data));
  const svc = new AnalyticsService(db, {
    bus,
    now: () => new Date(t('02:11:00')),
    dayStart: () => new Date(DAY),
  });
  try {
    await svc.start();
    const started = Date.now();
    for (const e of script()) await svc.apply(e);
    await new Promise((r) => setTimeout(r, 1300 - (Date.now() - started)));
    assert.ok(pushed.length >= 1 && pushed.length <= 2, `pushed ${pushed.length}`);
    const last = pushed.at(-1) as { kpis: { offered: number } };
    assert.equal(last.kpis.offered, 5);
  } finally {
    await svc.close();
    bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a restarted service reloads today’s intervals and the contacts still waiting from disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-analytics-'));
  const opts = { now: () => new Date(t('02:11:00')), dayStart: () => new Date(DAY) };
  try {
    let db = await openPouchStore(dir, 'analytics');
    let svc = new AnalyticsService(db, opts);
    await svc.start();
    for (const e of script()) await svc.apply(e);
    await svc.close();
    await db.close();
    db = await openPouchStore(dir, 'analytics');
    svc = new AnalyticsService(db, opts);
    await svc.start();
    assert.deepEqual(svc.wallboard().kpis, EXPECTED);
    assert.equal(svc.wallboard().waiting, 1);
    const churn = await svc.churnOf('cust-c1');
    assert.deepEqual(
      churn.reasons.map((r) => [r.code, r.count]),
      [
        ['negative_csat', 1],
        ['repeat_contact_7d', 1],
      ],
    );
    assert.equal(churn.score, 45);
    await svc.close();
    await db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
