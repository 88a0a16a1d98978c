import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import type { Contact, TimelineEntry } from '../conversations/index.ts';
import { EventBus } from '../events/index.ts';
import { createApp, type Principal } from '../http/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { AcousticCheck } from './acoustic-check.ts';
import { scorecardRoutes } from './routes-scorecards.ts';
import { Scorecards } from './scorecards.ts';
import { IntelligenceService } from './service.ts';
import { IntelligenceStore } from './store.ts';
import type { AcousticMetrics } from './types.ts';

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
  sup: principal('sup', ['contacts.monitor', 'routing.manage']),
  agent: principal('agt', ['contacts.handle']),
};

async function setup() {
  const bus = new EventBus();
  const events: Array<{ type: string; actor: string; data: unknown }> = [];
  bus.subscribe('*', (e) => void events.push({ type: e.type, actor: e.actor, data: e.data }));
  const db = new MemoryDocStore('intelligence');
  const cards = new Scorecards(db, { bus });
  await cards.load();
  const acoustic = new AcousticCheck({
    bus,
    recordRead: async () => undefined,
    score: async () => undefined,
    onError: () => undefined,
  });
  const app = createApp({
    resolveSession: async (sid) => people[sid],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', scorecardRoutes(cards, acoustic)]],
    clientIp: () => '198.51.100.1',
  });
  const call = async (who: string, path: string, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {
      cookie: `__Host-bl_session=${who}`,
      'x-csrf-token': people[who]?.csrfToken ?? '',
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  return { db, bus, cards, events, call };
}

const SALES = {
  name: 'Sales calls',
  queues: ['sales'],
  rules: [
    { id: 'greeting', kind: 'text', check: 'greeting', weight: 20, words: ['hello', '您好'] },
    {
      id: 'risk',
      kind: 'text',
      check: 'required_phrase',
      weight: 30,
      words: ['风险提示', 'investment risk'],
    },
    { id: 'overtalk', kind: 'acoustic', metric: 'overtalk_s', op: '<=', threshold: 2, weight: 25 },
  ],
};

test('the default scorecard is seeded once with the five built-in rules and the acoustic rules, audited as system', async () => {
  const { call, events, db, bus } = await setup();
  const r = await call('sup', '/api/qa/scorecards');
  assert.equal(r.status, 200);
  const [card] = r.json['scorecards'];
  assert.equal(card.id, 'default');
  assert.equal(card.version, 1);
  const ids = card.rules.map((x: { id: string }) => x.id);
  assert.deepEqual(ids.slice(0, 5), [
    'greeting',
    'forbidden_words',
    'end_sentiment',
    'response_time',
    'resolution',
  ]);
  assert.ok(ids.includes('overtalk') && ids.includes('longest_silence'));
  assert.deepEqual(
    events.map((e) => [e.type, e.actor]),
    [['intelligence.scorecard_saved', 'system']],
  );
  // A restart reads the stored card; it is not seeded again.
  const again = new Scorecards(db, { bus });
  await again.load();
  assert.equal(again.get('default').version, 1);
  assert.equal(events.length, 1);
});

test('PUT creates a card, every save is a new version, old versions stay readable, a stale save is a 409', async () => {
  const { call, events } = await setup();
  const v1 = await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: SALES });
  assert.equal(v1.status, 200, JSON.stringify(v1.json));
  assert.equal(v1.json['version'], 1);
  assert.equal(v1.json['updatedBy'], 'sup');
  const changed = {
    ...SALES,
    version: 1,
    rules: SALES.rules.map((r) => (r.id === 'overtalk' ? { ...r, threshold: 1 } : r)),
  };
  const v2 = await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: changed });
  assert.equal(v2.json['version'], 2);
  const stale = await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: changed });
  assert.equal(stale.status, 409);
  assert.equal(stale.json['error'].code, 'INTELLIGENCE_SCORECARD_CONFLICT');
  const versions = await call('sup', '/api/qa/scorecards/sales/versions');
  assert.deepEqual(
    versions.json['versions'].map((v: { version: number }) => v.version),
    [1, 2],
  );
  const old = await call('sup', '/api/qa/scorecards/sales/versions/1');
  assert.equal(old.json['rules'][2].threshold, 2);
  assert.equal((await call('sup', '/api/qa/scorecards/sales')).json['rules'][2].threshold, 1);
  assert.deepEqual(
    events.filter((e) => e.actor === 'sup').map((e) => [e.type, (e.data as { version: number }).version]),
    [
      ['intelligence.scorecard_saved', 1],
      ['intelligence.scorecard_saved', 2],
    ],
  );
});

test('bad scorecards are refused with coded errors naming the rule; agents may not edit', async () => {
  const { call } = await setup();
  const put = (body: unknown, who = 'sup') => call(who, '/api/qa/scorecards/x', { method: 'PUT', body });
  const dup = await put({ ...SALES, queues: [], rules: [SALES.rules[0], SALES.rules[0]] });
  assert.equal(dup.status, 400);
  assert.equal(dup.json['error'].code, 'INTELLIGENCE_SCORECARD_INVALID');
  const noWords = await put({ name: 'x', rules: [{ id: 'g', kind: 'text', check: 'greeting', weight: 5 }] });
  assert.equal(noWords.json['error'].code, 'INTELLIGENCE_SCORECARD_INVALID');
  const ratio = await put({
    name: 'x',
    rules: [{ id: 'r', kind: 'acoustic', metric: 'silence_share', op: '<=', threshold: 5, weight: 5 }],
  });
  assert.equal(ratio.json['error'].code, 'INTELLIGENCE_SCORECARD_INVALID');
  const metric = await put({
    name: 'x',
    rules: [{ id: 'r', kind: 'acoustic', metric: 'loudness', op: '<=', threshold: 5, weight: 5 }],
  });
  assert.equal(metric.status, 400);
  assert.equal(metric.json['error'].code, 'HTTP_VALIDATION');
  assert.equal((await put({ name: 'x', rules: [] })).status, 400);
  assert.equal((await put(SALES, 'agent')).status, 403);
  // One queue, one card.
  assert.equal((await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: SALES })).status, 200);
  const taken = await call('sup', '/api/qa/scorecards/sales2', { method: 'PUT', body: SALES });
  assert.equal(taken.status, 409);
  assert.deepEqual(taken.json['error'].details, {
    queue: 'sales',
    scorecardId: 'sales',
    name: 'Sales calls',
  });
});

test('DELETE refuses the default card; a deleted card is gone but its versions remain', async () => {
  const { call } = await setup();
  const d = await call('sup', '/api/qa/scorecards/default', { method: 'DELETE' });
  assert.equal(d.status, 409);
  assert.equal(d.json['error'].code, 'INTELLIGENCE_SCORECARD_DEFAULT');
  await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: SALES });
  assert.equal((await call('sup', '/api/qa/scorecards/sales', { method: 'DELETE' })).status, 204);
  assert.equal((await call('sup', '/api/qa/scorecards/sales')).status, 404);
  assert.equal((await call('sup', '/api/qa/scorecards/sales/versions/1')).status, 200);
});

test('POST …/test scores a sample conversation with the stored or draft rules; a call without a recording is a 404', async () => {
  const { call } = await setup();
  await call('sup', '/api/qa/scorecards/sales', { method: 'PUT', body: SALES });
  const sample = {
    lines: [
      { role: 'customer', text: '我想买基金' },
      { role: 'agent', text: '您好，请注意投资有风险提示：基金可能亏损' },
    ],
  };
  const r = await call('sup', '/api/qa/scorecards/sales/test', { method: 'POST', body: sample });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(
    r.json['findings'].map((f: { rule: string; passed: boolean }) => [f.rule, f.passed]),
    [
      ['greeting', true],
      ['risk', true],
    ],
  );
  assert.deepEqual(r.json['notApplicable'], ['overtalk']);
  assert.equal(r.json['score'], 100);
  const draft = await call('sup', '/api/qa/scorecards/sales/test', {
    method: 'POST',
    body: {
      ...sample,
      rules: [{ id: 'bye', kind: 'text', check: 'required_phrase', weight: 40, words: ['再见'] }],
    },
  });
  assert.equal(draft.json['score'], 60);
  const noRec = await call('sup', '/api/qa/scorecards/sales/test', {
    method: 'POST',
    body: { callId: 'c-1' },
  });
  assert.equal(noRec.status, 404);
  assert.equal(noRec.json['error'].code, 'INTELLIGENCE_NO_RECORDING');
});

const contact = (
  id: string,
  channel: Contact['channel'],
  attributes: Contact['attributes'] = {},
): Contact => ({
  id,
  conversationId: `conv-${id}`,
  customerId: 'cust-1',
  channel,
  threadKey: `call:${id}`,
  state: 'closed',
  attributes,
  agentId: 'a1',
  createdAt: '2026-01-05T09:00:00.000Z',
  updatedAt: '2026-01-05T09:05:00.000Z',
  timeline: { closed: '2026-01-05T09:05:00.000Z' },
});
const msg = (contactId: string, direction: 'in' | 'out', text: string, at: string): TimelineEntry => ({
  id: `${contactId}-${at}`,
  conversationId: `conv-${contactId}`,
  contactId,
  channel: 'voice',
  direction,
  author: direction === 'in' ? 'cust-1' : 'a1',
  text,
  attachments: [],
  at,
  delivery: 'sent',
  customerId: 'cust-1',
});
const METRICS: AcousticMetrics = {
  durationS: 60,
  agentTalkS: 20,
  customerTalkS: 25,
  agent_talk_ratio: 0.44,
  longest_silence_s: 22,
  silence_share: 0.3,
  overtalk_s: 4,
  agent_interruptions: 0,
  hold_s: 0,
  first_agent_words_s: 2,
};

test('results name the scorecard version of the contact queue; a call with no transcript is scored on acoustic rules only', async () => {
  const { db, bus, cards } = await setup();
  await cards.save('sales', SALES as never, 'sup');
  await cards.save('sales', SALES as never, 'sup');
  const intel = new IntelligenceService(new IntelligenceStore(db), { bus, scorecards: cards });
  const said = await intel.scoreContact(contact('k1', 'voice', { ivrQueue: 'sales' }), [
    msg('k1', 'in', 'I want to buy a fund', '2026-01-05T09:00:00.000Z'),
    msg('k1', 'out', 'hello, investment risk applies', '2026-01-05T09:00:10.000Z'),
  ]);
  assert.deepEqual(said.scorecard, { id: 'sales', version: 2 });
  assert.deepEqual(said.notApplicable, ['overtalk']);
  assert.equal(said.score, 100);

  const silent = await intel.scoreContact(contact('k2', 'voice'), [], { acoustic: METRICS });
  assert.deepEqual(silent.scorecard, { id: 'default', version: 1 });
  assert.equal(silent.status, undefined, 'scored');
  assert.deepEqual(
    silent.findings.filter((f) => !f.passed).map((f) => f.rule),
    ['longest_silence', 'overtalk'],
  );
  assert.ok(silent.findings.every((f) => f.kind === 'acoustic'));
  assert.deepEqual(silent.notApplicable, [
    'greeting',
    'forbidden_words',
    'end_sentiment',
    'response_time',
    'resolution',
  ]);
  assert.deepEqual(silent.acoustic, METRICS);
  assert.equal(silent.score, 80);
  // A later re-score (a transcript arrived) keeps the measurements.
  const again = await intel.scoreContact(contact('k2', 'voice'), [
    msg('k2', 'out', 'hello', '2026-01-05T09:00:10.000Z'),
  ]);
  assert.deepEqual(again.acoustic, METRICS);
  assert.ok(again.findings.some((f) => f.rule === 'greeting' && f.passed));
  // Without text or measurements: not scored, as before.
  const none = await intel.scoreContact(contact('k3', 'voice'), []);
  assert.equal(none.status, 'not_scored');
});
