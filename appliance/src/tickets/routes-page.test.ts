import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createApp } from '../http/index.ts';
import { type DocStore, openPouchStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { ticketRoutes } from './routes-tickets.ts';
import { ticketDoc } from './store.ts';
import { agent, FakeClock, makeTickets } from './test-support.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const AGENT = testPrincipal('agt', ['tickets.read', 'tickets.write']);

/** Tickets on real LevelDB in a temp dir, served in process; one minute between creations. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-tickets-page-'));
  dirs.push(dir);
  const store = await openPouchStore(dir, 'tickets');
  const clock = new FakeClock('2026-03-02T08:00:00.000Z');
  const { service } = await makeTickets({ clock, tickets: store });
  const app = createApp({
    resolveSession: async (sid) => (sid === 'agt' ? AGENT : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', ticketRoutes(service)]],
  });
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=agt' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const create = async (subject: string) => {
    clock.advance(1);
    return service.lifecycle.create({ subject, description: 'd' }, agent());
  };
  return { store, service, get, create };
}

async function pages(get: (p: string) => Promise<{ json: Record<string, unknown> }>, query: string) {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await get(`/api/tickets?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...(r.json.tickets as Array<{ id: string }>).map((t) => t.id));
    cursor = r.json.nextCursor as string | undefined;
  } while (cursor);
  return seen;
}

describe('GET /api/tickets pages', () => {
  it('serves 250 tickets with limit=100 as 100, 100, 50: each once, newest first, no duplicates when tickets arrive mid-way', async () => {
    const { store, get, create } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 250; i++) made.push((await create(`t${i}`)).id);
    const first = await get('/api/tickets?limit=100');
    assert.equal(first.status, 200);
    assert.equal(first.json.tickets.length, 100);
    assert.equal(first.json.tickets[0].description, undefined, 'lists carry no description');
    const late = [(await create('late 1')).id, (await create('late 2')).id];
    const second = await get(`/api/tickets?limit=100&cursor=${first.json.nextCursor}`);
    const third = await get(`/api/tickets?limit=100&cursor=${second.json.nextCursor}`);
    assert.deepEqual([second.json.tickets.length, third.json.tickets.length], [100, 50]);
    assert.equal(third.json.nextCursor, undefined, 'the last page has no cursor');
    const ids = [first, second, third].flatMap((p) => p.json.tickets.map((t: { id: string }) => t.id));
    assert.deepEqual(ids, [...made].reverse(), 'every ticket exactly once, newest first');
    assert.ok(!ids.some((id) => late.includes(id)), 'tickets made while paging do not reappear later');
    const all = await pages(get, 'limit=200');
    assert.deepEqual(all, [...late.reverse(), ...[...made].reverse()]);
    const defaulted = await get('/api/tickets');
    assert.equal(defaulted.json.tickets.length, 50, 'the default page is 50');
    await store.close();
  });

  it('refuses limit over 200, a non-number limit, a garbled cursor and a cursor from another listing with HTTP_VALIDATION', async () => {
    const { store, get, create } = await setup();
    for (let i = 0; i < 3; i++) await create(`t${i}`);
    const over = await get('/api/tickets?limit=201');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.code, 'HTTP_VALIDATION');
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    assert.equal((await get('/api/tickets?limit=200')).status, 200);
    for (const bad of ['limit=0', 'limit=ten', 'cursor=%21%21', 'cursor=eyJ2IjoxfQ']) {
      const r = await get(`/api/tickets?${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.error.code, 'HTTP_VALIDATION', bad);
    }
    const page = await get('/api/tickets?state=new&limit=1');
    const other = await get(`/api/tickets?state=closed&limit=1&cursor=${page.json.nextCursor}`);
    assert.equal(other.status, 400, 'a cursor only resumes its own listing');
    assert.equal(other.json.error.details.issues[0].code, 'bad_cursor');
    // A hand-made cursor with the right scope but a key outside the listing.
    const forged = Buffer.from(
      JSON.stringify({
        v: 1,
        s: 'tickets?state=new&assigneeId=&departmentId=&customerId=&contactId=',
        k: 'ticket:x',
      }),
    ).toString('base64url');
    const f = await get(`/api/tickets?state=new&cursor=${forged}`);
    assert.equal(f.status, 400);
    assert.equal(f.json.error.details.issues[0].code, 'bad_cursor');
    await store.close();
  });

  it('moves a ticket between state listings when it changes state, and leaves no entry behind', async () => {
    const { store, service, get, create } = await setup();
    const a = await create('a');
    const b = await create('b');
    await service.lifecycle.transition(a.id, 'open', agent());
    const ids = async (q: string) => (await pages(get, q)).sort();
    assert.deepEqual(await ids('state=new'), [b.id]);
    assert.deepEqual(await ids('state=open'), [a.id]);
    await service.lifecycle.transition(a.id, 'l1', agent());
    assert.deepEqual(await ids('state=open'), []);
    assert.deepEqual(await ids('state=l1'), [a.id]);
    const entries = await store.list({ prefix: 'tix:st:' });
    assert.deepEqual(entries.map((e) => e._id.split(':')[2]).sort(), ['l1', 'new'], 'old entries removed');
    assert.deepEqual(await ids('assigneeId=nobody'), [], 'filters without an index are checked per ticket');
    await store.close();
  });
});

describe('TicketService.backfillIndex()', () => {
  it('lists tickets stored before the index existed, resuming from its saved position', async () => {
    const { store, service, get } = await setup();
    const legacy = [1, 2, 3, 4, 5].map((n) => ({
      ...sample(n),
      createdAt: `2026-01-0${n}T00:00:00.000Z`,
    }));
    await (store as DocStore).bulkPut(legacy.map((t) => ticketDoc(t)));
    assert.deepEqual((await get('/api/tickets')).json.tickets, [], 'not listed before the backfill');
    // As if an earlier run stopped after the second ticket.
    await store.put({ _id: 'meta:tix-backfill:v1', done: false, after: `ticket:${legacy[1]?.id}` });
    assert.equal(await service.backfillIndex(), 3, 'resumes after the saved position');
    const progress = await store.get('meta:tix-backfill:v1');
    await store.put({ _id: 'meta:tix-backfill:v1', _rev: progress?._rev ?? '', done: false });
    assert.equal(await service.backfillIndex(), 5);
    assert.equal(await service.backfillIndex(), 0, 'runs once');
    const listed = (await get('/api/tickets?state=new')).json.tickets.map((t: { id: string }) => t.id);
    assert.deepEqual(listed, legacy.map((t) => t.id).reverse());
    await store.close();
  });
});

function sample(n: number) {
  return {
    id: `legacy-${n}`,
    number: `BR-00000${n}`,
    subject: `old ${n}`,
    description: 'd',
    language: 'en' as const,
    priority: 'normal' as const,
    workflowId: 'default',
    workflowVersion: 1,
    state: 'new',
    visited: ['new'],
    levelsPassed: [],
    fields: {},
    tags: [],
    links: { contactIds: [], conversationIds: [], mergedFrom: [] },
    createdAt: '',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}
