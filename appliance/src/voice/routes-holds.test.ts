import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { createApp } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { openCrypto, openPouchStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { RecordingExports } from './recording/export.ts';
import { LegalHolds } from './recording/holds.ts';
import { RecordingRetention } from './recording/retention.ts';
import { RecordingService } from './recording/service.ts';
import { holdRoutes } from './routes-holds.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PRINCIPALS = {
  sup: testPrincipal('sup', ['contacts.monitor']),
  comp: testPrincipal('comp', ['contacts.monitor', 'recordings.hold', 'recordings.export']),
  admin: testPrincipal('admin', ['system.manage']),
};

/** Hold, export and policy routes in process over real LevelDB; exports have no signing key here. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-holds-routes-'));
  dirs.push(dir);
  const crypto = await openCrypto(join(dir, 'keys'));
  const store = await openPouchStore(join(dir, 'db'), 'recordings');
  const bus = new EventBus();
  const recordings = new RecordingService(store, { crypto, dir: join(dir, 'rec') });
  const retention = new RecordingRetention(store, { recordings, bus, logger: createLogger('test') });
  const holds = new LegalHolds(store, { bus, recordings });
  const exports = new RecordingExports(store, { recordings, holds, signer: () => undefined });
  const app = createApp({
    resolveSession: async (sid) => PRINCIPALS[sid as keyof typeof PRINCIPALS],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', holdRoutes({ holds, exports, retention }, async () => undefined)]],
  });
  const call = async (who: keyof typeof PRINCIPALS, method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: {
        cookie: `__Host-bl_session=${who}`,
        'x-csrf-token': `csrf-${who}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, any> };
  };
  const close = async () => {
    await store.close();
    crypto.close();
    bus.close();
  };
  return { recordings, call, close };
}

test('hold routes: recordings.hold places and releases (403 for a supervisor), export needs recordings.export and a signing key, the policy is admin-only and validated', async () => {
  const t = await setup();
  try {
    const callId = randomUUID();
    await t.recordings.begin(callId, Date.now());
    const body = { kind: 'recording', targetId: callId, reason: 'Dispute' };
    assert.equal((await t.call('sup', 'POST', '/api/voice/holds', body)).status, 403);
    assert.equal((await t.call('sup', 'GET', '/api/voice/holds')).status, 403);
    assert.equal(
      (await t.call('admin', 'POST', '/api/voice/holds', body)).status,
      403,
      'system.manage is not enough',
    );
    const placed = await t.call('comp', 'POST', '/api/voice/holds', body);
    assert.equal(placed.status, 201);
    assert.equal(placed.json['createdBy'], 'comp');
    const bad = await t.call('comp', 'POST', '/api/voice/holds', {
      kind: 'planet',
      targetId: callId,
      reason: 'x',
    });
    assert.equal(bad.status, 400);
    const id = placed.json['id'] as string;
    assert.equal(
      (await t.call('sup', 'POST', `/api/voice/holds/${id}/release`, { reason: 'x' })).status,
      403,
    );
    const active = await t.call('comp', 'GET', '/api/voice/holds?status=active');
    assert.deepEqual(
      active.json['holds'].map((h: { id: string }) => h.id),
      [id],
    );

    assert.equal(
      (await t.call('sup', 'POST', `/api/voice/recordings/${callId}/export`, { reason: 'x' })).status,
      403,
    );
    const unsigned = await t.call('comp', 'POST', `/api/voice/recordings/${callId}/export`, { reason: 'x' });
    assert.equal(unsigned.status, 503);
    assert.equal(unsigned.json['error']['code'], 'VOICE_EXPORT_UNAVAILABLE');

    assert.equal((await t.call('comp', 'GET', '/api/voice/recordings-retention/policy')).status, 403);
    const policy = { days: 90, classes: { complaints: 1095 }, queueClasses: { complaints: 'complaints' } };
    const saved = await t.call('admin', 'PUT', '/api/voice/recordings-retention/policy', policy);
    assert.deepEqual(saved.json, policy);
    const wrong = await t.call('admin', 'PUT', '/api/voice/recordings-retention/policy', {
      ...policy,
      queueClasses: { sales: 'gold' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json['error']['code'], 'VOICE_INVALID_RETENTION');
    const pass = await t.call('admin', 'POST', '/api/voice/recordings-retention/run');
    assert.deepEqual(pass.json, { purged: 0, kept: [] });
  } finally {
    await t.close();
  }
});
