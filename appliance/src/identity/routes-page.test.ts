import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createApp } from '../http/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { identityRoutes } from './routes.ts';
import { rig, testHasher } from './test-support.ts';

const hasher = testHasher();
after(() => hasher.close());

const ADMIN = testPrincipal('adm', ['users.read']);

function serve(r: ReturnType<typeof rig>) {
  const app = createApp({
    resolveSession: async (sid) => (sid === 'adm' ? ADMIN : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', identityRoutes(r.service)]],
  });
  return async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=adm' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
}

describe('GET /api/users pages', () => {
  it('serves 60 users with limit=25 as 25, 25, 10 in username order, each once, the last page without a cursor', async () => {
    const r = rig(hasher);
    const names = Array.from({ length: 60 }, (_, i) => `user-${String((i * 37) % 60).padStart(2, '0')}`);
    for (let i = 0; i < names.length; i += 10)
      await Promise.all(
        names
          .slice(i, i + 10)
          .map((username) => r.service.createUser({ username, displayName: username, roles: ['agent'] })),
      );
    const get = serve(r);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`/api/users?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      sizes.push(page.json.users.length);
      seen.push(...page.json.users.map((u: { username: string }) => u.username));
      cursor = page.json.nextCursor;
    } while (cursor);
    assert.deepEqual(sizes, [25, 25, 10]);
    assert.deepEqual(seen, [...names].sort());
    const all = await get('/api/users');
    assert.equal(all.json.users.length, 50, 'the default page is 50');
    assert.ok(all.json.nextCursor);
  });

  it('refuses limit over 200, a garbled cursor and a cursor from another listing with HTTP_VALIDATION', async () => {
    const r = rig(hasher);
    await r.service.createUser({ username: 'ann', displayName: 'Ann', roles: ['agent'] });
    const get = serve(r);
    const over = await get('/api/users?limit=201');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.code, 'HTTP_VALIDATION');
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const customers = Buffer.from(JSON.stringify({ v: 1, s: 'customers', k: 'cust:x' })).toString(
      'base64url',
    );
    for (const q of ['limit=0', 'cursor=%21%21', `cursor=${customers}`]) {
      const res = await get(`/api/users?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(res.json.error.code, 'HTTP_VALIDATION', q);
    }
  });
});
