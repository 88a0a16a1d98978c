import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { seedKnowledge } from './seed.ts';
import { KnowledgeService } from './service.ts';
import { AUTHOR, qualityQueries, REVIEWER, seedData } from './test-fixtures.ts';
import { stem, tokenize } from './tokenize.ts';

async function seeded() {
  const kb = new KnowledgeService(new MemoryDocStore('knowledge'), { bus: new EventBus() });
  await seedKnowledge(kb, seedData(), { author: AUTHOR, reviewer: REVIEWER });
  return kb;
}

test('the seed set has at least 30 articles in both locales and at least 30 quality queries', () => {
  const { articles } = seedData();
  assert.ok(articles.length >= 30);
  assert.ok(articles.some((a) => a.locale === 'en') && articles.some((a) => a.locale === 'zh-CN'));
  const queries = qualityQueries();
  assert.ok(queries.length >= 30);
  const titles = new Set(articles.map((a) => a.title));
  assert.ok(queries.filter((q) => titles.has(q.query)).length === 0, 'queries must not be article titles');
});

test('search() finds the expected article in the top 3 for at least 90% of the zh and en quality queries', async () => {
  const kb = await seeded();
  const queries = qualityQueries();
  const misses: string[] = [];
  for (const q of queries) {
    const hits = kb.search(q.query, {
      visibility: q.visibility ?? 'public',
      ...(q.locale ? { locale: q.locale } : {}),
      limit: 3,
    });
    if (!hits.some((h) => q.expected.includes(h.articleId))) {
      misses.push(`${q.query} → ${hits.map((h) => h.articleId).join(', ')}`);
    }
  }
  const recall = (queries.length - misses.length) / queries.length;
  process.stdout.write(`KB recall@3 = ${recall.toFixed(3)} over ${queries.length} queries\n`);
  for (const m of misses) process.stdout.write(`miss: ${m}\n`);
  assert.ok(recall >= 0.9, `recall@3 ${recall} < 0.9`);
});

test('tokenize() splits Chinese into segmenter words plus bigrams and stems English', () => {
  assert.deepEqual(tokenize('卡丢了怎么办'), ['卡', '卡丢', '丢', '丢了']);
  assert.ok(tokenize('挂失银行卡').includes('挂失'));
  assert.ok(tokenize('银行卡').includes('银行'));
  assert.deepEqual(tokenize('Resetting the Passwords'), ['reset', 'password']);
  assert.equal(stem('activating'), stem('activate'));
});

test('search() filters by locale and never returns internal articles for public visibility', async () => {
  const kb = await seeded();
  const en = kb.search('密码 password', { locale: 'en', limit: 50 });
  assert.ok(en.length > 0 && en.every((h) => h.locale === 'en'));
  const pub = kb.search('坐席 核验 身份 话术 fraud scam escalation 限额', { limit: 50 });
  assert.ok(pub.every((h) => h.visibility === 'public'));
  const internal = kb.search('坐席 核验 身份 话术', { visibility: 'internal', limit: 3 });
  assert.equal(internal[0]?.articleId, 'zh-verify-script');
});

test('a title match outranks the same words in a body (title boost)', async () => {
  const kb = await seeded();
  const hits = kb.search('U盾', { limit: 3 });
  assert.equal(hits[0]?.articleId, 'zh-ukey');
});
