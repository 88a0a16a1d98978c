import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePolicyKey, type HqCouch, signControl, startHqCouch } from '../../../sync/src/index.ts';
import { EventBus } from '../events/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { KnowledgeService } from '../knowledge/index.ts';
import { RoutingService } from '../routing/index.ts';
import { type CryptoFacade, type DocStore, openCrypto, openPouchStore } from '../storage/index.ts';
import { type BridgeDbs, SyncBridge } from './bridge.ts';
import { openBridgeDbs, until } from './test-rig.ts';

let dir: string;
let hq: HqCouch;
let bus: EventBus;
let crypto: CryptoFacade;
let stores: DocStore[] = [];
let dbs: BridgeDbs;
let knowledge: KnowledgeService;
let routing: RoutingService;
let bridge: SyncBridge;
const inbound = () => hq.db('b-K1-inbound');
/** HQ's control key, pinned by the branch: content pushes are signed with it. */
const hqKey = generatePolicyKey();
const signed = <T extends { _id: string; type: string }>(doc: T) => signControl(doc, 'K1', hqKey);
const alarms: string[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-bridge-'));
  hq = await startHqCouch({ dataDir: path.join(dir, 'hq') });
  bus = new EventBus();
  bus.subscribe('system.alarm_raised', (e) => {
    alarms.push(String((e.data as { detail?: unknown }).detail));
  });
  crypto = await openCrypto(dir);
  const kbStore = await openPouchStore(path.join(dir, 'db'), 'knowledge');
  const routingStore = await openPouchStore(path.join(dir, 'db'), 'routing');
  stores = [kbStore, routingStore];
  knowledge = new KnowledgeService(kbStore, { bus });
  routing = new RoutingService(routingStore, { bus });
  await routing.load();
  dbs = openBridgeDbs(dir);
  bridge = new SyncBridge({
    branchId: 'K1',
    hqUrl: hq.url,
    dbs,
    bus,
    identity: {} as IdentityService, // no freezes are sent in these tests
    crypto,
    tokenKey: Buffer.alloc(32, 3),
    pinnedHqKey: hqKey.publicKey,
    content: { knowledge, routing },
    reconcileEveryMs: 500,
    audit: { get: async () => undefined, changes: async () => ({ results: [], lastSeq: 0 }) },
  });
  await bridge.start();
});

after(async () => {
  await bridge?.close();
  for (const db of Object.values(dbs ?? {})) await db.close();
  routing?.close();
  for (const s of stores) await s.close();
  crypto?.close();
  bus?.close();
  await hq?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SyncBridge inbound content and reconciliation', () => {
  it('an HQ KB article is published authored by hq, and an HQ edit publishes a new version once', async () => {
    const doc = {
      _id: 'kb:hq-rates',
      type: 'kb_article',
      articleId: 'hq-rates',
      locale: 'zh-CN',
      title: '存款利率',
      body: '一年期定期存款利率为 1.5%。',
      category: 'hq-products',
      categoryName: '产品',
      tags: ['利率'],
      visibility: 'internal',
    };
    const put = await inbound().put(signed(doc));
    assert.ok(
      await until(async () => (await knowledge.list()).some((a) => a.article.publishedVersion === 1)),
    );
    const v1 = await knowledge.get('hq-rates');
    assert.equal(v1.version.authorId, 'hq');
    assert.equal(v1.version.status, 'published');
    assert.equal(knowledge.search('存款利率', { visibility: 'internal' })[0]?.articleId, 'hq-rates');

    await inbound().put({ ...signed({ ...doc, body: '一年期定期存款利率为 1.4%。' }), _rev: put.rev });
    assert.ok(await until(async () => (await knowledge.get('hq-rates')).article.publishedVersion === 2));
    const v2 = await knowledge.get('hq-rates');
    assert.equal(v2.version.body, '一年期定期存款利率为 1.4%。');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await knowledge.versions('hq-rates')).length, 2, 're-delivery made no new version');
  });

  it('HQ routing policies are applied to the routing config, invalid ones refused, deletions removed', async () => {
    await inbound().bulkDocs(
      [
        {
          _id: 'routing:queue:q-hq',
          type: 'routing_policy',
          kind: 'queue',
          value: { id: 'q-hq', name: 'HQ queue' },
        },
        {
          _id: 'routing:workflow:wf-bad',
          type: 'routing_policy',
          kind: 'workflow',
          value: { id: 'wf-bad', name: 'Bad', filters: [], defaultTarget: { queue: 'no-such-queue' } },
        },
        {
          _id: 'routing:workflow:wf-hq',
          type: 'routing_policy',
          kind: 'workflow',
          value: { id: 'wf-hq', name: 'HQ flow', filters: [], defaultTarget: { queue: 'q-hq' } },
        },
      ].map(signed),
    );
    assert.ok(await until(async () => routing.config().workflows.some((w) => w.id === 'wf-hq')));
    assert.deepEqual(
      routing.config().queues.map((q) => q.id),
      ['q-hq'],
    );
    assert.ok(!routing.config().workflows.some((w) => w.id === 'wf-bad'), 'dangling queue refused');

    await inbound().put(
      signed({
        _id: 'routing:workflow:wf-hq-del',
        type: 'routing_policy',
        kind: 'workflow',
        id: 'wf-hq',
        deleted: true,
      }),
    );
    assert.ok(await until(async () => !routing.config().workflows.some((w) => w.id === 'wf-hq')));
  });

  it('an unsigned or forged KB article or routing policy is refused and alarmed, never applied', async () => {
    const article = {
      _id: 'kb:forged',
      type: 'kb_article',
      articleId: 'forged',
      locale: 'zh-CN',
      title: '转账到新账户',
      body: '请把存款转到以下账户。',
      category: 'hq-products',
      tags: [],
      visibility: 'internal',
    };
    await inbound().put(article);
    await inbound().put(
      signControl({ ...article, _id: 'kb:forged2', articleId: 'forged2' }, 'K1', generatePolicyKey()),
    );
    await inbound().put({
      _id: 'routing:queue:q-forged',
      type: 'routing_policy',
      kind: 'queue',
      value: { id: 'q-forged', name: 'X' },
    });
    assert.ok(
      await until(async () =>
        [
          'kb:forged refused (unsigned)',
          'kb:forged2 refused (signature)',
          'routing:queue:q-forged refused (unsigned)',
        ].every((m) => alarms.some((a) => a.includes(m))),
      ),
      `alarms: ${alarms.join(' | ')}`,
    );
    await assert.rejects(knowledge.get('forged'));
    await assert.rejects(knowledge.get('forged2'));
    assert.ok(!routing.config().queues.some((q) => q.id === 'q-forged'));
  });

  it('the reconciliation job writes a report listing outbound docs missing at HQ and extra at HQ by id and rev', async () => {
    const local = await dbs.tickets.put({ _id: 'ticket:r1', class: 'tickets', state: 'open' });
    const remote = hq.db('b-K1-tickets');
    assert.ok(await until(async () => (await remote.get('ticket:r1').catch(() => undefined)) !== undefined));
    const ghost = await remote.put({ _id: 'ticket:ghost', class: 'tickets' });
    const since = new Date().toISOString();
    let report: Record<string, unknown> | undefined;
    assert.ok(
      await until(async () => {
        const all = await dbs.state.allDocs({
          include_docs: true,
          startkey: 'reconcile:',
          endkey: 'reconcile:\uffff',
        });
        report = all.rows
          .map((r) => r.doc)
          .filter((d) => d && String(d['at']) > since)
          .at(-1);
        return report !== undefined;
      }),
    );
    const tickets = (report?.['dbs'] as Record<string, Record<string, unknown>> | undefined)?.['tickets'];
    assert.deepEqual(tickets?.['extraAtHq'], [{ id: 'ticket:ghost', rev: ghost.rev }]);
    assert.deepEqual(tickets?.['missingAtHq'], []);
    assert.equal(report?.['ok'], false);
    assert.ok(local.rev);
  });
});
