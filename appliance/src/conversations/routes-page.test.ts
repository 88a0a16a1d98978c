import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { createApp, type Principal } from '../http/index.ts';
import { MemoryDocStore, openPouchStore } from '../storage/index.ts';
import { conversationRoutes } from './routes.ts';
import { ConversationService } from './service.ts';
import { ConversationStore } from './store.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

function principal(userId: string, perms: Permission[]): Principal {
  return {
    userId,
    username: userId,
    roles: [],
    permissions: new Set(perms),
    sessionId: userId,
    csrfToken: `csrf-${userId}`,
    mustChangePassword: false,
    mfaSetupRequired: false,
  };
}
const people: Record<string, Principal> = {
  a1: principal('a1', ['contacts.handle']),
  a2: principal('a2', ['contacts.handle']),
  sup: principal('sup', ['contacts.handle', 'contacts.monitor']),
};

/**
 * Contacts on real LevelDB, served in process, one second apart: contact n
 * (0…119) goes to a1 when n % 3 === 0 and to a2 when n % 6 === 1 (both
 * active); the rest stay queued, and of those n % 12 === 2 came in out of hours.
 */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-contacts-page-'));
  dirs.push(dir);
  const db = await openPouchStore(dir, 'conversations');
  const bus = new EventBus();
  const customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  let t = Date.parse('2026-03-02T08:00:00.000Z');
  const store = new ConversationStore(db, blind);
  const service = new ConversationService(store, { customers, bus, now: () => new Date(t) });
  const ids: string[] = [];
  for (let n = 0; n < 120; n++) {
    t += 1000;
    const r = await service.ingest({
      channel: 'webchat',
      handles: [{ kind: 'web_visitor', value: `v${n % 7}` }],
      externalId: `m${n}`,
      threadKey: `s${n}`,
      text: 'hi',
      receivedAt: new Date(t),
      ...(n % 12 === 2 ? { attributes: { offline: true } } : {}),
    });
    ids.push(r.contactId);
    const agentId = n % 3 === 0 ? 'a1' : n % 6 === 1 ? 'a2' : undefined;
    if (agentId) await service.transition(r.contactId, 'active', { agentId });
  }
  const app = createApp({
    resolveSession: async (sid) => people[sid],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', conversationRoutes(service, async () => undefined)]],
  });
  const get = async (who: string, path: string) => {
    const res = await app.request(path, { headers: { cookie: `__Host-bl_session=${who}` } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const pages = async (who: string, query: string, limit: number) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(who, `/api/contacts?limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      sizes.push(r.json.contacts.length);
      seen.push(...r.json.contacts.map((c: { id: string }) => c.id));
      cursor = r.json.nextCursor;
    } while (cursor);
    return { seen, sizes };
  };
  const newest = (keep: (n: number) => boolean) => ids.flatMap((id, n) => (keep(n) ? [id] : [])).reverse();
  return { db, store, service, ids, get, pages, newest };
}

describe('GET /api/contacts pages', () => {
  it('pages every list newest first from its index: all, by state, an agent’s inbox with the unclaimed out-of-hours ones', async () => {
    const { service, ids, get, pages, newest } = await setup();
    const all = await pages('sup', 'scope=all', 50);
    assert.deepEqual(all.sizes, [50, 50, 20]);
    assert.deepEqual(
      all.seen,
      newest(() => true),
    );
    const queued = newest((n) => n % 3 !== 0 && n % 6 !== 1);
    assert.deepEqual((await pages('sup', 'scope=all&state=queued', 25)).seen, queued);
    const a1 = (n: number) => n % 3 === 0;
    const offline = (n: number) => n % 12 === 2;
    const inbox = await pages('a1', '', 20);
    assert.deepEqual(
      inbox.seen,
      newest((n) => a1(n) || offline(n)),
      'own contacts and unclaimed offline ones',
    );
    assert.deepEqual(inbox.sizes, [20, 20, 10]);
    assert.deepEqual((await pages('a1', 'state=active,wrap_up', 15)).seen, newest(a1));
    assert.deepEqual(
      (await pages('a1', 'scope=all', 200)).seen,
      inbox.seen,
      'scope=all needs contacts.monitor',
    );
    assert.deepEqual((await pages('a2', 'state=queued', 200)).seen, newest(offline));
    // An agent takes an out-of-hours contact: it leaves the other inboxes and the queued list.
    const taken = ids[2] ?? '';
    await service.transition(taken, 'active', { agentId: 'a2' });
    assert.ok(!(await pages('a1', '', 200)).seen.includes(taken));
    assert.ok((await pages('a2', 'state=active', 200)).seen.includes(taken));
    assert.ok(!(await pages('sup', 'scope=all&state=queued', 200)).seen.includes(taken));
    assert.equal(
      (await get('sup', '/api/contacts?scope=all')).json.contacts.length,
      50,
      'the default page is 50',
    );
  });

  it('leaves no stale entries behind when a contact moves, and lists contacts stored before the index after the backfill', async () => {
    const { db, store, service, ids, pages } = await setup();
    const id = ids[0] ?? '';
    await service.transition(id, 'wrap_up');
    await service.transition(id, 'closed');
    const mine = (await db.list({ prefix: 'ci:' })).map((d) => d._id).filter((k) => k.endsWith(`:${id}`));
    assert.deepEqual(mine.map((k) => k.split(':').slice(0, -4).join(':')).sort(), [
      'ci:ag:a1',
      'ci:all',
      'ci:as:a1:closed',
      'ci:st:closed',
    ]);
    for (const d of await db.list({ prefix: 'ci:' })) await db.remove(d._id, d._rev);
    assert.deepEqual((await pages('sup', 'scope=all', 200)).seen, [], 'nothing listed without the index');
    assert.equal(await store.indexContactLists(50), 120);
    assert.equal((await pages('sup', 'scope=all', 200)).seen.length, 120);
    assert.deepEqual((await pages('sup', 'scope=all&state=closed', 200)).seen, [id]);
  });

  it('refuses limit over 200 and a cursor from another agent’s inbox with HTTP_VALIDATION', async () => {
    const { get } = await setup();
    const over = await get('sup', '/api/contacts?scope=all&limit=201');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const first = await get('a1', '/api/contacts?limit=1');
    const stolen = await get('a2', `/api/contacts?limit=1&cursor=${first.json.nextCursor}`);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json.error.details.issues[0].code, 'bad_cursor');
  });
});
