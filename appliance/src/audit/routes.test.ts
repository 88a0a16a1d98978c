import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import { createApp, type Principal } from '../http/index.ts';
import { auditRoutes } from './routes.ts';
import { memoryAudit } from './test-fixtures.ts';
import type { AuditRecord } from './types.ts';

function principal(userId: string, perms: Permission[]): Principal {
  return {
    userId,
    username: userId,
    roles: [],
    permissions: new Set(perms),
    sessionId: `s-${userId}`,
    csrfToken: `csrf-${userId}`,
    mustChangePassword: false,
    mfaSetupRequired: false,
  };
}

const people: Record<string, Principal> = {
  auditor: principal('aud', ['audit.read', 'audit.export', 'audit.settings']),
  admin: principal('adm', ['audit.read', 'users.manage']),
  agent: principal('agt', ['customers.read']),
};

async function setup() {
  const { audit } = await memoryAudit();
  for (let i = 0; i < 8; i++) {
    await audit.append({
      actor: i % 2 ? 'ann' : '=bob',
      action: 'customer.read',
      target: `customer:${i}`,
      outcome: 'success',
    });
  }
  const app = createApp({
    resolveSession: async (sid) => people[sid],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', auditRoutes(audit)]],
    clientIp: () => '192.0.2.10',
  });
  const call = (who: string, path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: {
        cookie: `__Host-bl_session=${who}`,
        'x-csrf-token': people[who]?.csrfToken ?? '',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  return { audit, call, app };
}

test('GET /api/audit searches for an auditor and is 403 for an agent', async () => {
  const { audit, call } = await setup();
  const res = await call('auditor', '/api/audit?actor=ann&limit=2');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { records: AuditRecord[]; next?: number };
  assert.deepEqual(
    body.records.map((r) => r.seq),
    [2, 4],
  );
  assert.equal(body.next, 4);
  assert.equal((await call('agent', '/api/audit')).status, 403);
  assert.equal((await call('auditor', '/api/audit?limit=0')).status, 400);
  await audit.close();
});

test('GET /api/audit/export returns guarded CSV and records the export itself', async () => {
  const { audit, call } = await setup();
  const res = await call('auditor', '/api/audit/export?format=csv&action=customer.read');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  const rows = (await res.text()).trim().split('\r\n');
  assert.equal(rows.length, 9);
  assert.match(rows[1] as string, /^1,[^,]+,'=bob,customer\.read,/);
  const { records } = await audit.search({ action: 'audit.exported' });
  assert.deepEqual(
    [records[0]?.actor, records[0]?.source, records[0]?.details?.['rows']],
    ['aud', '192.0.2.10', 8],
  );
  assert.equal((await call('admin', '/api/audit/export?format=jsonl')).status, 403);
  await audit.close();
});

test('GET /api/audit/verify reports ok with counts and the public key', async () => {
  const { audit, call } = await setup();
  const body = (await (await call('admin', '/api/audit/verify')).json()) as {
    ok: boolean;
    records: number;
    publicKey: string;
  };
  assert.deepEqual([body.ok, body.records, body.publicKey], [true, 8, audit.publicKey]);
  await audit.close();
});

test('PUT /api/audit/settings is AUDIT_FORBIDDEN for an admin, applies for an auditor-admin and rejects unknown fields', async () => {
  const { audit, call } = await setup();
  const denied = await call('admin', '/api/audit/settings', {
    method: 'PUT',
    body: JSON.stringify({ checkpointEvery: 10 }),
  });
  assert.equal(denied.status, 403);
  assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'AUDIT_FORBIDDEN');
  const ok = await call('auditor', '/api/audit/settings', {
    method: 'PUT',
    body: JSON.stringify({ checkpointEvery: 10 }),
  });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { checkpointEvery: number }).checkpointEvery, 10);
  const bad = await call('auditor', '/api/audit/settings', {
    method: 'PUT',
    body: JSON.stringify({ nope: 1 }),
  });
  assert.equal(bad.status, 400);
  const got = (await (await call('admin', '/api/audit/settings')).json()) as { checkpointEvery: number };
  assert.equal(got.checkpointEvery, 10);
  const outcomes = (await audit.search({ action: 'audit.settings_changed' })).records.map(
    (r) => `${r.actor}:${r.outcome}`,
  );
  assert.deepEqual(outcomes, ['adm:denied', 'aud:success']);
  await audit.close();
});

test('the audit routes appear in the OpenAPI document', async () => {
  const { audit, app } = await setup();
  const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
  for (const p of ['/api/audit', '/api/audit/export', '/api/audit/verify', '/api/audit/settings'])
    assert.ok(doc.paths[p], p);
  await audit.close();
});

test('GET /api/audit?order=desc pages newest first with an opaque cursor until the last page has none', async () => {
  const { call } = await setup();
  const seqs: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const q = `/api/audit?order=desc&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call('auditor', q);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { records: AuditRecord[]; cursor?: string };
    seqs.push(...body.records.map((r) => r.seq));
    cursor = body.cursor;
    if (!cursor) break;
    assert.doesNotMatch(cursor, /^\d+$/, 'the cursor is not a bare sequence number');
  }
  const all = (await (await call('auditor', '/api/audit?limit=1000')).json()) as { records: AuditRecord[] };
  assert.ok(seqs.length >= 8);
  assert.deepEqual(seqs, all.records.map((r) => r.seq).reverse(), 'every record once, newest first');
});

test('GET /api/audit refuses a forged, garbled or other-order cursor and a page over 1000 with a coded 400', async () => {
  const { call } = await setup();
  const first = (await (await call('auditor', '/api/audit?order=desc&limit=2')).json()) as { cursor: string };
  const bad = [
    'not-a-cursor!',
    Buffer.from('a1:desc:-4').toString('base64url'),
    Buffer.from('zz:desc:3').toString('base64url'),
    'x'.repeat(201),
  ];
  for (const cursor of bad) {
    const res = await call('auditor', `/api/audit?order=desc&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(res.status, 400, cursor);
    const body = (await res.json()) as { error: { code: string } };
    // an over-long value fails the request schema; anything else the cursor check
    if (cursor.length <= 64) assert.equal(body.error.code, 'AUDIT_INVALID_SEARCH', cursor);
    else assert.match(body.error.code, /^[A-Z][A-Z_]+$/);
  }
  const swapped = await call('auditor', `/api/audit?order=asc&cursor=${encodeURIComponent(first.cursor)}`);
  assert.equal(swapped.status, 400);
  assert.equal(((await swapped.json()) as { error: { code: string } }).error.code, 'AUDIT_INVALID_SEARCH');
  assert.equal((await call('auditor', '/api/audit?limit=1001')).status, 400);
});
