import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type DomainEvent, EventBus } from '../events/index.ts';
import { type DocStore, MemoryDocStore, openPouchStore } from '../storage/index.ts';
import { KnowledgeService } from './service.ts';
import { AUTHOR, REVIEWER } from './test-fixtures.ts';

const content = {
  title: '挂失银行卡',
  body: '银行卡丢失后请立即挂失。',
  category: 'cards',
  tags: ['丢卡'],
  visibility: 'public' as const,
};

async function rig(db: DocStore = new MemoryDocStore('knowledge')) {
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe('*', (e) => void events.push(e));
  const kb = new KnowledgeService(db, { bus });
  await kb.createCategory({ id: 'cards', name: { 'zh-CN': '银行卡', en: 'Cards' } }, AUTHOR);
  return { kb, events };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'resolved';
}

test('approve() by the author of the version fails with KNOWLEDGE_SELF_REVIEW and publishes nothing', async () => {
  const { kb } = await rig();
  await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
  await kb.submit('a1', AUTHOR);
  assert.equal(await code(kb.approve('a1', AUTHOR)), 'KNOWLEDGE_SELF_REVIEW');
  assert.equal((await kb.get('a1')).version.status, 'in_review');
  assert.deepEqual(kb.search('挂失'), []);
});

test('a draft is neither searchable nor approvable until it is submitted for review', async () => {
  const { kb } = await rig();
  await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
  assert.equal(await code(kb.approve('a1', REVIEWER)), 'KNOWLEDGE_WRONG_STATUS');
  assert.deepEqual(kb.search('挂失', { visibility: 'internal' }), []);
  await kb.submit('a1', AUTHOR);
  assert.equal(await code(kb.submit('a1', AUTHOR)), 'KNOWLEDGE_WRONG_STATUS');
  await kb.approve('a1', REVIEWER);
  assert.equal(kb.search('挂失')[0]?.articleId, 'a1');
});

test('reject() returns the version to draft with the comment, and an edit during review is refused', async () => {
  const { kb, events } = await rig();
  await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
  await kb.submit('a1', AUTHOR);
  assert.equal(await code(kb.edit('a1', { title: 'x' }, AUTHOR)), 'KNOWLEDGE_WRONG_STATUS');
  const back = await kb.reject('a1', REVIEWER, { comment: '请补充热线号码' });
  assert.equal(back.version.status, 'draft');
  assert.equal(back.version.reviewComment, '请补充热线号码');
  assert.ok(events.some((e) => e.type === 'kb.review_rejected'));
});

test('publishing version 2 supersedes version 1, which stays readable, and the index follows the new text', async () => {
  const { kb } = await rig();
  await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
  await kb.submit('a1', AUTHOR);
  await kb.approve('a1', REVIEWER);
  const draft = await kb.edit('a1', { title: '银行卡挂失与冻结', body: '可在手机银行临时冻结。' }, AUTHOR);
  assert.equal(draft.version.version, 2);
  assert.equal(draft.article.publishedVersion, 1);
  assert.equal(kb.search('挂失')[0]?.version, 1, 'v1 stays live until v2 is approved');
  await kb.submit('a1', AUTHOR);
  await kb.approve('a1', REVIEWER);
  const versions = await kb.versions('a1');
  assert.deepEqual(
    versions.map((v) => [v.version, v.status]),
    [
      [1, 'superseded'],
      [2, 'published'],
    ],
  );
  assert.equal((await kb.get('a1', { version: 1 })).version.title, '挂失银行卡');
  const hit = kb.search('手机银行 冻结')[0];
  assert.equal(hit?.version, 2);
  assert.equal(hit?.title, '银行卡挂失与冻结');
});

test('getPublished() hides internal articles from public readers', async () => {
  const { kb } = await rig();
  await kb.create({ ...content, id: 'int', locale: 'zh-CN', visibility: 'internal' }, AUTHOR);
  await kb.submit('int', AUTHOR);
  await kb.approve('int', REVIEWER);
  assert.equal(await code(kb.getPublished('int', { visibility: 'public' })), 'KNOWLEDGE_NOT_FOUND');
  assert.equal((await kb.getPublished('int', { visibility: 'internal' })).version.version, 1);
});

test('recordUsage() counts views, votes and uses in replies, also when called concurrently', async () => {
  const { kb, events } = await rig();
  await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
  await Promise.all([
    ...Array.from({ length: 5 }, () => kb.recordUsage('a1', 'view', AUTHOR)),
    kb.recordUsage('a1', 'helpful', AUTHOR),
    kb.recordUsage('a1', 'not_helpful', AUTHOR),
    kb.recordUsage('a1', 'used', AUTHOR),
  ]);
  assert.deepEqual((await kb.get('a1')).article.usage, {
    views: 5,
    helpful: 1,
    notHelpful: 1,
    usedInReply: 1,
  });
  assert.ok(events.some((e) => e.type === 'kb.article_used'));
});

test('create() with an unknown category fails with KNOWLEDGE_UNKNOWN_CATEGORY', async () => {
  const { kb } = await rig();
  assert.equal(
    await code(kb.create({ ...content, category: 'nope', locale: 'zh-CN' }, AUTHOR)),
    'KNOWLEDGE_UNKNOWN_CATEGORY',
  );
});

test('load() rebuilds the search index from LevelDB after a restart, published versions only', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bl-kb-'));
  try {
    const db1 = await openPouchStore(dir, 'knowledge');
    const { kb } = await rig(db1);
    await kb.create({ ...content, id: 'a1', locale: 'zh-CN' }, AUTHOR);
    await kb.submit('a1', AUTHOR);
    await kb.approve('a1', REVIEWER);
    await kb.create({ ...content, id: 'draft', title: '草稿挂失', locale: 'zh-CN' }, AUTHOR);
    await db1.close();
    const db2 = await openPouchStore(dir, 'knowledge');
    const again = new KnowledgeService(db2, { bus: new EventBus() });
    await again.load();
    assert.deepEqual(
      again.search('挂失', { visibility: 'internal' }).map((h) => h.articleId),
      ['a1'],
    );
    await db2.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
