import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventBus } from '../events/index.ts';
import { createApp } from '../http/index.ts';
import type { ModuleContext } from '../modules.ts';
import { openPouchStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { intelligenceRoutes } from './routes.ts';
import { IntelligenceService } from './service.ts';
import { IntelligenceStore } from './store.ts';
import type { QaResult } from './types.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SUPERVISOR = testPrincipal('sup', ['contacts.monitor']);

/** Contact n closed n minutes after 08:00, by agent a<n % 3>. */
const result = (n: number): QaResult => ({
  contactId: `c-${String(n).padStart(3, '0')}`,
  channel: 'webchat',
  agentId: `a${n % 3}`,
  score: 80,
  findings: [],
  scoredAt: '2026-03-02T12:00:00.000Z',
  closedAt: new Date(Date.parse('2026-03-02T08:00:00.000Z') + n * 60_000).toISOString(),
});

/** QA results on real LevelDB, served in process (the list reads only the store). */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-qa-page-'));
  dirs.push(dir);
  const db = await openPouchStore(dir, 'intelligence');
  const store = new IntelligenceStore(db);
  const intel = new IntelligenceService(store, { bus: new EventBus() });
  // The list routes never touch the other contexts' services.
  const services = {} as ModuleContext['services'];
  const app = createApp({
    resolveSession: async (sid) => (sid === 'sup' ? SUPERVISOR : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', intelligenceRoutes(intel, services)]],
  });
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=sup' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const pages = async (query: string, limit: number) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(`/api/qa/results?limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      sizes.push(r.json.results.length);
      seen.push(...r.json.results.map((x: { contactId: string }) => x.contactId));
      cursor = r.json.nextCursor;
    } while (cursor);
    return { seen, sizes };
  };
  return { db, store, get, pages };
}

const ids = (ns: number[]) => ns.map((n) => result(n).contactId);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('GET /api/qa/results pages', () => {
  it('serves 150 results with limit=60 as 60, 60, 30, newest closed first; by agent and by period from the index', async () => {
    const { db, store, get, pages } = await setup();
    for (const n of range(0, 150).sort((a, b) => ((a * 7) % 150) - ((b * 7) % 150)))
      await store.putQa(result(n));
    const all = await pages('', 60);
    assert.deepEqual(all.sizes, [60, 60, 30]);
    assert.deepEqual(all.seen, ids(range(0, 150).reverse()));
    const a1 = await pages('agentId=a1', 20);
    assert.deepEqual(
      a1.seen,
      ids(
        range(0, 150)
          .filter((n) => n % 3 === 1)
          .reverse(),
      ),
    );
    // Closed in [08:10, 08:40): contacts 10…39.
    const period = await pages('from=2026-03-02T08:10:00.000Z&to=2026-03-02T08:40:00.000Z', 7);
    assert.deepEqual(period.seen, ids(range(10, 40).reverse()));
    const both = await pages('agentId=a0&from=2026-03-02T08:10:00.000Z&to=2026-03-02T08:40:00.000Z', 4);
    assert.deepEqual(
      both.seen,
      ids(
        range(10, 40)
          .filter((n) => n % 3 === 0)
          .reverse(),
      ),
    );
    // A rescore that names another agent moves the result between agent listings.
    await store.putQa({ ...result(1), agentId: 'a2' });
    assert.ok(!(await pages('agentId=a1', 200)).seen.includes('c-001'));
    assert.ok((await pages('agentId=a2', 200)).seen.includes('c-001'));
    assert.deepEqual(
      (await db.list({ prefix: 'qi:ag:' }))
        .filter((d) => d._id.endsWith(':c-001'))
        .map((d) => d._id.split(':')[2]),
      ['a2'],
      'the old agent entry is removed',
    );
    assert.equal((await get('/api/qa/results')).json.results.length, 50, 'the default page is 50');
  });

  it('lists results stored before the index existed', async () => {
    const { db, pages } = await setup();
    await db.bulkPut(range(0, 5).map((n) => ({ _id: `qa:${result(n).contactId}`, ...result(n) })));
    assert.deepEqual((await pages('', 2)).seen, ids(range(0, 5).reverse()));
  });

  it('refuses limit over 200 and a cursor from another filter with HTTP_VALIDATION', async () => {
    const { store, get } = await setup();
    for (const n of range(0, 3)) await store.putQa(result(n));
    const over = await get('/api/qa/results?limit=500');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const first = await get('/api/qa/results?agentId=a0&limit=1');
    const other = await get(`/api/qa/results?agentId=a1&limit=1&cursor=${first.json.nextCursor}`);
    assert.equal(other.status, 400);
    assert.equal(other.json.error.details.issues[0].code, 'bad_cursor');
  });
});
