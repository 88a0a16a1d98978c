import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DomainEvent } from '../events/index.ts';
import { openPouchStore } from '../storage/index.ts';
import { AnalyticsService } from './service.ts';

let seq = 0;

function queued(contactId: string, at: string, channel = 'webchat'): DomainEvent {
  seq++;
  return {
    id: `tz${seq}`,
    type: 'contact.queued',
    at,
    actor: 'system',
    data: {
      contactId,
      conversationId: `v-${contactId}`,
      customerId: `cust-${contactId}`,
      channel,
      attributes: {},
      queuedAt: at,
      at,
    },
  } as unknown as DomainEvent;
}

/** 09:00 on 2 March in Shanghai (UTC+8). */
const NOW = new Date('2024-03-02T01:00:00.000Z');

async function withZone(timeZone: string, fn: (svc: AnalyticsService) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'bl-analytics-tz-'));
  const db = await openPouchStore(dir, 'analytics');
  const svc = new AnalyticsService(db, { now: () => NOW, timeZone });
  try {
    await svc.start();
    // 23:30 on 1 March in Shanghai: yesterday there.
    await svc.apply(queued('early', '2024-03-01T15:30:00.000Z'));
    // 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai: today there.
    await svc.apply(queued('late', '2024-03-01T23:30:00.000Z', 'voice'));
    await fn(svc);
  } finally {
    await svc.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('with Asia/Shanghai a contact at 23:30 UTC counts for the next local day on the wallboard', async () => {
  await withZone('Asia/Shanghai', async (svc) => {
    const wb = svc.wallboard();
    assert.equal(wb.since, '2024-03-01T16:00:00.000Z');
    assert.equal(wb.kpis.offered, 1);
    assert.deepEqual(
      wb.byQueue.map((q) => q.kpis.offered),
      [1],
    );
  });
});

test('with Asia/Shanghai the behaviour report for one day counts the 23:30 UTC contact, not the one before local midnight', async () => {
  await withZone('Asia/Shanghai', async (svc) => {
    const report = await svc.behaviour({ days: 1 });
    assert.equal(report.from, '2024-03-01T16:00:00.000Z');
    assert.equal(report.to, '2024-03-02T16:00:00.000Z');
    assert.equal(report.contacts, 1);
    assert.deepEqual(
      report.channelMix.map((m) => m.channel),
      ['voice'],
    );
  });
});

test('with UTC the same contacts both fall on 1 March, so neither is today', async () => {
  await withZone('UTC', async (svc) => {
    assert.equal(svc.wallboard().since, '2024-03-02T00:00:00.000Z');
    assert.equal(svc.wallboard().kpis.offered, 0);
    const report = await svc.behaviour({ days: 2 });
    assert.equal(report.from, '2024-03-01T00:00:00.000Z');
    assert.equal(report.contacts, 2);
  });
});
