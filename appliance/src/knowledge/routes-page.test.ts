import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../events/index.ts';
import { createApp } from '../http/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { RateLimiter } from './rate-limit.ts';
import { knowledgeRoutes } from './routes.ts';
import { KnowledgeService } from './service.ts';

const EDITOR = testPrincipal('ed', ['knowledge.write']);

async function setup(count: number) {
  const kb = new KnowledgeService(new MemoryDocStore('knowledge'), { bus: new EventBus() });
  await kb.createCategory({ id: 'cards', name: { 'zh-CN': '卡', en: 'Cards' } }, { userId: 'ed' });
  const ids = Array.from({ length: count }, (_, i) => `art-${String((i * 7) % count).padStart(3, '0')}`);
  for (const id of ids)
    await kb.create(
      {
        id,
        locale: 'en',
        title: `Title ${id}`,
        body: 'b',
        category: 'cards',
        tags: [],
        visibility: 'internal',
      },
      { userId: 'ed' },
    );
  const app = createApp({
    resolveSession: async (sid) => (sid === 'ed' ? EDITOR : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [
      ['/api', knowledgeRoutes(kb, { publicLimiter: new RateLimiter({ limit: 100, windowMs: 60_000 }) })],
    ],
  });
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: '__Host-bl_session=ed' } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  return { kb, ids, get };
}

describe('GET /api/kb/articles pages', () => {
  it('serves 120 articles with limit=50 as 50, 50, 20 in id order with their latest version, each once', async () => {
    const { kb, ids, get } = await setup(120);
    await kb.edit('art-000', { title: 'Edited' }, { userId: 'ed' });
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`/api/kb/articles?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      sizes.push(page.json.articles.length);
      seen.push(...page.json.articles.map((a: { article: { id: string } }) => a.article.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.deepEqual(seen, [...ids].sort());
    const first = await get('/api/kb/articles?limit=1');
    assert.equal(first.json.articles[0].version.title, 'Edited', 'the latest version is shown');
    assert.equal((await get('/api/kb/articles')).json.articles.length, 50, 'the default page is 50');
  });

  it('refuses limit over 200, a garbled cursor and a users cursor with HTTP_VALIDATION', async () => {
    const { get } = await setup(2);
    const over = await get('/api/kb/articles?limit=201');
    assert.equal(over.status, 400);
    assert.equal(over.json.error.details.issues[0].code, 'too_big');
    const users = Buffer.from(JSON.stringify({ v: 1, s: 'users', k: 'ann' })).toString('base64url');
    for (const q of ['limit=-1', 'cursor=xx', `cursor=${users}`]) {
      const res = await get(`/api/kb/articles?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(res.json.error.code, 'HTTP_VALIDATION', q);
    }
  });
});
