import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, type WidgetMessage, WidgetSession } from '../web/src/widget/protocol.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { untilTrue } from './support/until.ts';

const connect = (url: string) => new WebSocket(url) as unknown as SocketLike;
const until = (what: string, ok: () => boolean | Promise<boolean>) =>
  untilTrue(what, ok, { timeoutMs: 20_000, everyMs: 50 });

describe('the web chat bot against the real appliance', () => {
  let app: RunningAppliance;
  let admin: ApiClient;
  let cleanup: () => Promise<void>;

  before(async () => {
    const tmp = await tempDataDir('bl-chatbot-');
    cleanup = tmp.cleanup;
    app = await startAppliance(tmp.dir);
    admin = (await bootstrapAdmin(app)).admin;
  });
  after(async () => {
    await app?.stop();
    await cleanup?.();
  });

  test('a visitor gets a published KB answer from the bot, then 我要找人工 queues the chat with intent and sentiment', async () => {
    const role = await admin.request('POST', '/api/roles', {
      id: 'kb-reviewer',
      description: 'reviews knowledge articles',
      permissions: ['knowledge.review'],
    });
    assert.ok(role.status < 300, JSON.stringify(role.json));
    const reviewer = await createSignedInUser(
      admin,
      'reviewer1',
      ['kb-reviewer'],
      'reviewer password 123 long',
    );
    const article = {
      id: 'zh-password-reset',
      locale: 'zh-CN',
      title: '网银密码忘记如何重置',
      body: '在手机银行登录页点击“忘记密码”，验证身份后即可重置网银密码。',
      category: 'cards',
      tags: ['密码'],
      visibility: 'public',
    };
    const cat = await admin.request('POST', '/api/kb/categories', {
      id: 'cards',
      name: { 'zh-CN': '银行卡', en: 'Cards' },
    });
    assert.equal(cat.status, 201, JSON.stringify(cat.json));
    const created = await admin.request('POST', '/api/kb/articles', article);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await admin.request('POST', '/api/kb/articles/zh-password-reset/submit')).status, 200);
    const approved = await reviewer.client.request('POST', '/api/kb/articles/zh-password-reset/approve');
    assert.equal(approved.status, 200, JSON.stringify(approved.json));

    const enabled = await admin.request('PUT', '/api/intelligence/settings', { botEnabled: true });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.json));
    assert.equal(enabled.json['botEnabled'], true);
    const unknown = await admin.request('PUT', '/api/intelligence/settings', { botEnabled: true, x: 1 });
    assert.equal(unknown.status, 400);

    const got: WidgetMessage[] = [];
    const session = new WidgetSession({
      url: `${app.base.replace('http', 'ws')}/widget/ws`,
      token: randomId(24),
      connect,
      onMessage: (m) => got.push(m),
      backoff: () => 10,
    });
    session.start();
    try {
      await until('connection', () => session.connected);
      session.send('网银密码忘了怎么重置');
      await until('the bot answer', () => got.some((m) => m.dir === 'out'));
      const answer = got.find((m) => m.dir === 'out');
      assert.match(answer?.text ?? '', /网银密码忘记如何重置/);

      // While the bot answers, routing has not offered the chat: it is queued and marked bot-active.
      const list = async () =>
        (await admin.request('GET', '/api/contacts?scope=all&state=queued')).json['contacts'] as Array<{
          id: string;
          channel: string;
          attributes: Record<string, unknown>;
        }>;
      const held = (await list()).find((c) => c.channel === 'webchat');
      assert.equal(held?.attributes['bot'], 'active');

      session.send('我要找人工');
      await until('the handoff', async () =>
        (await list()).some((c) => c.channel === 'webchat' && c.attributes['bot'] === 'handed_off'),
      );
      const queued = (await list()).find((c) => c.channel === 'webchat');
      assert.ok(queued);
      assert.equal(queued.attributes['handoffReason'], 'requested');
      assert.equal(typeof queued.attributes['intent'], 'string');
      assert.notEqual(queued.attributes['intent'], 'unknown');
      assert.equal(typeof queued.attributes['sentiment'], 'number');
      assert.equal(queued.attributes['botTurns'], 2);
      assert.match(String(queued.attributes['summary']), /handoff requested/);
      await until('the handoff message', () => got.filter((m) => m.dir === 'out').length >= 2);
      assert.match(got.filter((m) => m.dir === 'out')[1]?.text ?? '', /人工/);

      // The agent sees the bot transcript in the contact's conversation, and the assist view.
      const assist = await admin.request('GET', `/api/assist/contacts/${queued.id}`);
      assert.equal(assist.status, 200, JSON.stringify(assist.json));
      assert.equal(assist.json['sentimentTrend'].length, 2);
    } finally {
      session.close();
    }
  });
});
