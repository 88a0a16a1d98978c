// Ticket subjects reach topic counting in batches; against the real appliance process a
// burst of tickets (more than fit a 500-character audit target when their ids are joined)
// is read and audited as one record with its count, digest and ids, and its subjects counted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ok } from './inbox-helpers.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;

before(async () => {
  const tmp = await tempDataDir('bl-topic-batch-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

type Term = { term: string; window: number };
type AuditRecord = { action: string; target?: string; details?: Record<string, unknown> };

test('twenty tickets created at once are counted as topics and audited as one batch record with count, digest and ids', async () => {
  const customers: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await admin.request('POST', '/api/customers', { name: `Batch Customer ${i}` });
    ok(r, 201);
    customers.push(r.json['id'] as string);
  }
  // All in one burst, so they fall into one ticket batch.
  const created = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      admin.request('POST', '/api/tickets', {
        subject: 'Overdraft refund request',
        description: 'd',
        customerId: customers[i % customers.length],
      }),
    ),
  );
  for (const r of created) ok(r, 201);
  const ids = created.map((r) => r.json['id'] as string).sort();

  await until(
    'the ticket subjects in the topic report',
    async () => {
      const r = await admin.request('GET', '/api/analytics/topics?days=7&baseline=28&limit=50');
      ok(r, 200);
      return (r.json['top'] as Term[]).find((t) => t.term === 'overdraft' && t.window === 20);
    },
    { timeoutMs: 20_000 },
  );

  ok(
    await admin.request('POST', '/api/roles', {
      id: 'batch-auditor',
      description: 'reads the audit trail',
      permissions: ['audit.read'],
    }),
    201,
  );
  const auditor = await createSignedInUser(
    admin,
    'batch.auditor',
    ['batch-auditor'],
    'batch auditor password 1',
  );
  const audit = await auditor.client.request(
    'GET',
    '/api/audit?action=analytics.ticket_subjects_read&limit=100',
  );
  ok(audit, 200);
  const batches = (audit.json['records'] as AuditRecord[]).filter(
    (r) => r.action === 'analytics.ticket_subjects_read',
  );
  const mine = batches.filter((r) => (r.details?.['ids'] as string[] | undefined)?.includes(ids[0]!));
  assert.equal(mine.length, 1, JSON.stringify(batches));
  const record = mine[0]!;
  assert.ok((record.target ?? '').length <= 100, `a bounded target: ${record.target}`);
  assert.equal(record.target, `ticket:batch:${record.details?.['digest']}`);
  const counted = batches.reduce((n, r) => n + Number(r.details?.['count'] ?? 0), 0);
  assert.equal(counted, 20, 'every ticket read is in a batch record');
  assert.deepEqual(
    batches.flatMap((r) => r.details?.['ids'] as string[]).sort(),
    ids,
    'the ids are in the details',
  );
});
