import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventBus } from '../events/index.ts';
import { createApp } from '../http/index.ts';
import { EncryptedDocStore, openCrypto, openPouchStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { customerRoutes } from './routes.ts';
import { CustomerService } from './service.ts';
import { CUSTOMER_SEALED_FIELDS } from './types.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const AGENT = testPrincipal('agt', ['customers.read', 'customers.write']);

/** Customers on real LevelDB with the real key ring (sealed fields, HMAC blind index), served in process. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-customers-page-'));
  dirs.push(dir);
  const crypto = await openCrypto(dir);
  const raw = await openPouchStore(join(dir, 'db'), 'customers');
  const store = new EncryptedDocStore(raw, {
    crypto,
    fields: [...CUSTOMER_SEALED_FIELDS],
    keyIdFor: (d) => String(d._id),
  });
  const reads: string[] = [];
  const service = new CustomerService(store, {
    index: crypto,
    bus: new EventBus(),
    auditRead: async (_a, id, purpose) => void reads.push(`${purpose}:${id}`),
  });
  const app = createApp({
    resolveSession: async (sid) => (sid === 'agt' ? AGENT : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', customerRoutes(service)]],
  });
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=agt' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const close = async () => {
    await raw.close();
    crypto.close();
  };
  return { dir, raw, service, get, reads, close };
}

describe('GET /api/customers pages', () => {
  it('serves 250 customers with limit=100 as 100, 100, 50, each once in a stable order, with none repeated when customers arrive mid-way', async () => {
    const { service, get, reads, close } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 250; i += 25) {
      const batch = Array.from({ length: 25 }, (_, k) =>
        service.create({ name: `Customer ${i + k}` }, { userId: 'seed' }),
      );
      made.push(...(await Promise.all(batch)).map((c) => c.id));
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    let late = 0;
    do {
      const r = await get(`/api/customers?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      sizes.push(r.json.customers.length);
      seen.push(...r.json.customers.map((c: { id: string }) => c.id));
      cursor = r.json.nextCursor;
      if (late++ === 0) await service.create({ name: 'Arrived while paging' }, { userId: 'seed' });
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no customer twice');
    assert.deepEqual(
      seen.filter((id) => made.includes(id)),
      [...made].sort(),
      'every customer once, in id order',
    );
    assert.ok(sizes.slice(0, 2).every((n) => n === 100) && sizes.length <= 4, String(sizes));
    assert.ok(
      reads.filter((r) => r.startsWith('list:')).length >= 250,
      'each listed profile is an audited read',
    );
    await close();
  });

  it('refuses limit over 200, a garbled cursor and a cursor from another listing with HTTP_VALIDATION', async () => {
    const { service, get, close } = await setup();
    await service.create({ name: 'A' }, { userId: 'seed' });
    await service.create({ name: 'B' }, { userId: 'seed' });
    const over = await get('/api/customers?limit=500');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.code, 'HTTP_VALIDATION');
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const ticketsCursor = Buffer.from(
      JSON.stringify({ v: 1, s: 'tickets?state=new', k: 'tix:st:new:x' }),
    ).toString('base64url');
    const forged = Buffer.from(JSON.stringify({ v: 1, s: 'customers', k: 'idx:phone:x' })).toString(
      'base64url',
    );
    for (const cursor of ['not-a-cursor', ticketsCursor, forged]) {
      const r = await get(`/api/customers?cursor=${cursor}`);
      assert.equal(r.status, 400, cursor);
      assert.equal(r.json.error.details.issues[0].code, 'bad_cursor', cursor);
    }
    const first = await get('/api/customers?limit=1');
    const second = await get(`/api/customers?limit=1&cursor=${first.json.nextCursor}`);
    assert.equal(second.status, 200);
    assert.equal(second.json.nextCursor, undefined);
    assert.notEqual(second.json.customers[0].id, first.json.customers[0].id);
    await close();
  });
});

describe('the phone index', () => {
  it('finds a customer by phone through a keyed HMAC, and the LevelDB files never hold the number in clear', async () => {
    const { dir, raw, service, get, close } = await setup();
    const c = await service.create({ name: 'Zhao Lei', phone: '139 0000 1111' }, { userId: 'seed' });
    const found = await get(`/api/customers?phone=${encodeURIComponent('+86 139-0000-1111')}`);
    assert.deepEqual(
      found.json.customers.map((x: { id: string }) => x.id),
      [c.id],
    );
    const keys = (await raw.list({ prefix: 'idx:phone:' })).map((d) => d._id);
    assert.equal(keys.length, 1);
    assert.doesNotMatch(keys[0] ?? '', /13900001111/);
    // Positive control: a number written in clear is visible to the same scan.
    await raw.put({ _id: 'control', note: 'clear 13711112222' });
    await close();
    const bytes = readdirSync(join(dir, 'db', 'customers'))
      .map((f) => readFileSync(join(dir, 'db', 'customers', f)).toString('latin1'))
      .join('\n');
    assert.match(bytes, /13711112222/, 'the scan sees clear text');
    assert.doesNotMatch(
      bytes,
      /13900001111|0000 1111|0000-1111/,
      'the customer number is not stored in clear',
    );
  });
});
