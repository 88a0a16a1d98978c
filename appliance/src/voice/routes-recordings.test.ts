import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventBus } from '../events/index.ts';
import { createApp } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { openCrypto, openPouchStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { RecordingRetention } from './recording/retention.ts';
import { RecordingService } from './recording/service.ts';
import { recordingRoutes } from './routes-recordings.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SUPERVISOR = testPrincipal('sup', ['contacts.monitor']);
const T0 = Date.parse('2026-03-02T08:00:00.000Z');

/** Recordings on real LevelDB with the real key ring, served in process. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-recordings-page-'));
  dirs.push(dir);
  const crypto = await openCrypto(join(dir, 'keys'));
  const store = await openPouchStore(join(dir, 'db'), 'recordings');
  const recordings = new RecordingService(store, { crypto, dir: join(dir, 'rec') });
  const retention = new RecordingRetention(store, {
    recordings,
    bus: new EventBus(),
    logger: createLogger('test'),
  });
  const app = createApp({
    resolveSession: async (sid) => (sid === 'sup' ? SUPERVISOR : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', recordingRoutes({ recordings, retention }, async () => undefined)]],
  });
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=sup' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const pages = async (limit: number) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(`/api/voice/recordings?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      sizes.push(r.json.recordings.length);
      seen.push(...r.json.recordings.map((x: { callId: string }) => x.callId));
      cursor = r.json.nextCursor;
    } while (cursor);
    return { seen, sizes };
  };
  const close = async () => {
    await store.close();
    crypto.close();
  };
  return { store, recordings, get, pages, close };
}

describe('GET /api/voice/recordings pages', () => {
  it('serves 120 recordings with limit=50 as 50, 50, 20, newest first, each once; purged ones leave the list', async () => {
    const { recordings, get, pages, close } = await setup();
    const calls: string[] = [];
    // Started out of order: the list sorts by start time, not by write order.
    for (let i = 0; i < 120; i++) {
      const id = randomUUID();
      calls[(i * 7) % 120] = id;
      await recordings.begin(id, T0 + ((i * 7) % 120) * 60_000);
    }
    const { seen, sizes } = await pages(50);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.deepEqual(seen, [...calls].reverse(), 'every recording once, newest first');
    assert.equal((await get('/api/voice/recordings')).json.recordings.length, 50, 'the default page is 50');
    // Older than 10 days at T0 + 10 days + 30 min: the first 30 (by start time) go.
    assert.equal(await recordings.purge(10, T0 + 10 * 86_400_000 + 30 * 60_000), 30);
    const left = await pages(200);
    assert.deepEqual(left.seen, calls.slice(30).reverse());
    await close();
  });

  it('lists recordings stored before the list index existed once start-up has run', async () => {
    const { store, recordings, pages, close } = await setup();
    const legacy = [1, 2, 3].map((n) => ({
      _id: `rec:legacy-${n}`,
      callId: `legacy-${n}`,
      startedAt: new Date(T0 + n * 1000).toISOString(),
      epochMs: T0 + n * 1000,
      legs: {},
      events: [],
      chunks: {},
      status: 'complete' as const,
    }));
    await store.bulkPut(legacy);
    assert.deepEqual((await pages(50)).seen, [], 'not listed before the backfill');
    await recordings.markInterrupted();
    assert.deepEqual((await pages(2)).seen, ['legacy-3', 'legacy-2', 'legacy-1']);
    await close();
  });

  it('refuses limit over 200 and a cursor from another listing with HTTP_VALIDATION', async () => {
    const { get, close } = await setup();
    const over = await get('/api/voice/recordings?limit=201');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const users = Buffer.from(JSON.stringify({ v: 1, s: 'users', k: 'ann' })).toString('base64url');
    const bad = await get(`/api/voice/recordings?cursor=${users}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.details.issues[0].code, 'bad_cursor');
    await close();
  });
});
