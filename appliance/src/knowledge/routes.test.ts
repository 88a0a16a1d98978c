import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import { EventBus } from '../events/index.ts';
import { createApp, type Principal } from '../http/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { RateLimiter } from './rate-limit.ts';
import { knowledgeRoutes } from './routes.ts';
import { seedKnowledge } from './seed.ts';
import { KnowledgeService } from './service.ts';
import { AUTHOR, REVIEWER, seedData } from './test-fixtures.ts';

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
  editor: principal('ed', ['knowledge.write']),
  reviewer: principal('rev', ['knowledge.review']),
  agent: principal('agt', ['contacts.handle']),
  auditor: principal('aud', ['audit.read']),
};

async function setup(limit = 1000) {
  const kb = new KnowledgeService(new MemoryDocStore('knowledge'), { bus: new EventBus() });
  await seedKnowledge(kb, seedData(), { author: AUTHOR, reviewer: REVIEWER });
  const app = createApp({
    resolveSession: async (sid) => people[sid],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', knowledgeRoutes(kb, { publicLimiter: new RateLimiter({ limit, windowMs: 60_000 }) })]],
    clientIp: (c) => c.req.header('x-test-ip') ?? '198.51.100.1',
  });
  const call = async (
    who: string | undefined,
    path: string,
    init: { method?: string; body?: unknown; ip?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (who) headers['cookie'] = `__Host-bl_session=${who}`;
    if (who) headers['x-csrf-token'] = people[who]?.csrfToken ?? '';
    if (init.ip) headers['x-test-ip'] = init.ip;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
  };
  return { kb, call };
}

test('GET /api/kb/public/search needs no session and returns only published public articles', async () => {
  const { call } = await setup();
  await call('editor', '/api/kb/articles', {
    method: 'POST',
    body: {
      id: 'secret-draft',
      locale: 'zh-CN',
      title: '挂失草稿',
      body: '挂失 挂失',
      category: 'cards',
      tags: [],
      visibility: 'public',
    },
  });
  const r = await call(
    undefined,
    `/api/kb/public/search?q=${encodeURIComponent('挂失 坐席 核验 话术')}&limit=50`,
  );
  assert.equal(r.status, 200);
  const ids = (r.json['hits'] as Array<{ articleId: string; visibility: string }>).map((h) => h.articleId);
  assert.ok(ids.includes('zh-card-report-lost'));
  assert.ok(!ids.includes('secret-draft'), 'drafts never leave through the public endpoint');
  assert.ok(!ids.includes('zh-verify-script'), 'internal articles never leave through the public endpoint');
  assert.equal((await call(undefined, '/api/kb/public/articles/zh-verify-script')).status, 404);
  assert.equal((await call(undefined, '/api/kb/public/articles/secret-draft')).status, 404);
});

test('the public endpoint answers 429 with Retry-After once an address exceeds its limit, other addresses unaffected', async () => {
  const { call } = await setup(5);
  for (let i = 0; i < 5; i++) {
    assert.equal((await call(undefined, '/api/kb/public/search?q=card', { ip: '203.0.113.7' })).status, 200);
  }
  const over = await call(undefined, '/api/kb/public/search?q=card', { ip: '203.0.113.7' });
  assert.equal(over.status, 429);
  assert.equal(over.json['error'].code, 'KNOWLEDGE_RATE_LIMITED');
  assert.ok(Number(over.headers.get('retry-after')) >= 1);
  assert.equal((await call(undefined, '/api/kb/public/search?q=card', { ip: '203.0.113.8' })).status, 200);
});

test('GET /api/kb/search needs a session and a reading permission, and includes internal articles', async () => {
  const { call } = await setup();
  assert.equal((await call(undefined, '/api/kb/search?q=x')).status, 401);
  assert.equal((await call('auditor', '/api/kb/search?q=x')).status, 403);
  const r = await call('agent', `/api/kb/search?q=${encodeURIComponent('电话里怎么核实客户身份')}`);
  assert.equal(r.status, 200);
  assert.equal(r.json['hits'][0].articleId, 'zh-verify-script');
});

test('POST approve by the author is refused with 403 KNOWLEDGE_SELF_REVIEW; a reviewer publishes it', async () => {
  const { call } = await setup();
  const both = principal('ed', ['knowledge.write', 'knowledge.review']);
  people['editor-reviewer'] = both;
  const body = {
    id: 'new-1',
    locale: 'en',
    title: 'Card fees',
    body: 'Annual fee waived.',
    category: 'cards',
    tags: [],
    visibility: 'public',
  };
  assert.equal((await call('editor', '/api/kb/articles', { method: 'POST', body })).status, 201);
  assert.equal((await call('editor', '/api/kb/articles/new-1/submit', { method: 'POST' })).status, 200);
  const self = await call('editor-reviewer', '/api/kb/articles/new-1/approve', { method: 'POST' });
  assert.equal(self.status, 403);
  assert.equal(self.json['error'].code, 'KNOWLEDGE_SELF_REVIEW');
  assert.equal((await call('editor', '/api/kb/articles/new-1/approve', { method: 'POST' })).status, 403);
  const ok = await call('reviewer', '/api/kb/articles/new-1/approve', { method: 'POST' });
  assert.equal(ok.status, 200);
  assert.equal(ok.json['version'].status, 'published');
  const pub = await call(undefined, '/api/kb/public/search?q=annual%20fee&locale=en');
  assert.equal(pub.json['hits'][0].articleId, 'new-1');
});

test('an agent reading an article sees the published version, not a newer draft, and can count a use', async () => {
  const { call } = await setup();
  await call('editor', '/api/kb/articles/en-card-lost', { method: 'PATCH', body: { title: 'Draft title' } });
  const read = await call('agent', '/api/kb/articles/en-card-lost');
  assert.equal(read.json['version'].title, 'Report a lost or stolen card');
  const used = await call('agent', '/api/kb/articles/en-card-lost/usage', {
    method: 'POST',
    body: { kind: 'used' },
  });
  assert.equal(used.json['usedInReply'], 1);
  const unknown = await call('agent', '/api/kb/articles/en-card-lost/usage', {
    method: 'POST',
    body: { kind: 'used', x: 1 },
  });
  assert.equal(unknown.status, 400);
});

test('DELETE /api/kb/categories/{id} refuses a category with articles (409 KNOWLEDGE_CATEGORY_IN_USE listing them), deletes an empty one, 404 for none, 403 for agents', async () => {
  const { call, kb } = await setup();
  const refused = await call('editor', '/api/kb/categories/loans', { method: 'DELETE' });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'KNOWLEDGE_CATEGORY_IN_USE');
  const articles = (await kb.list()).filter((a) => a.version.category === 'loans');
  assert.deepEqual(refused.json.error.details.usedBy, {
    articles: articles.map((a) => ({ id: a.article.id, title: a.version.title })),
    categories: [],
  });
  assert.ok(articles.length > 0);
  const made = await call('editor', '/api/kb/categories', {
    method: 'POST',
    body: { id: 'spare', name: { 'zh-CN': '备用', en: 'Spare' } },
  });
  assert.equal(made.status, 201);
  assert.equal((await call('agent', '/api/kb/categories/spare', { method: 'DELETE' })).status, 403);
  assert.equal((await call('editor', '/api/kb/categories/spare', { method: 'DELETE' })).status, 200);
  const left = await call('editor', '/api/kb/categories');
  assert.ok(!left.json.categories.some((c: { id: string }) => c.id === 'spare'));
  assert.ok(left.json.categories.some((c: { id: string }) => c.id === 'loans'));
  const again = await call('editor', '/api/kb/categories/spare', { method: 'DELETE' });
  assert.equal(again.status, 404);
  assert.equal(again.json.error.code, 'KNOWLEDGE_NOT_FOUND');
});
