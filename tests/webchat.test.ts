import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, type WidgetMessage, WidgetSession } from '../web/src/widget/protocol.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { untilTrue } from './support/until.ts';

const connect = (url: string) => new WebSocket(url) as unknown as SocketLike;

const until = (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000) =>
  untilTrue(what, ok, { timeoutMs, everyMs: 20 });

/** A raw widget socket for protocol abuse tests. */
async function rawSocket(base: string): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/widget/ws`);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return { ws, frames };
}

describe('web chat widget protocol against the real appliance', () => {
  let app: RunningAppliance;
  let admin: ApiClient;
  let cleanup: () => Promise<void>;

  before(async () => {
    const tmp = await tempDataDir('bl-webchat-');
    cleanup = tmp.cleanup;
    app = await startAppliance(tmp.dir);
    admin = (await bootstrapAdmin(app)).admin;
  });
  after(async () => {
    await app?.stop();
    await cleanup?.();
  });

  test('1,000 widget messages across 20 forced disconnects are each stored and delivered exactly once, in order', async () => {
    const got: WidgetMessage[] = [];
    const session = new WidgetSession({
      url: `${app.base.replace('http', 'ws')}/widget/ws`,
      token: randomId(24),
      connect,
      onMessage: (m) => got.push(m),
      backoff: () => 10,
    });
    session.start();
    await until('connection', () => session.connected);
    const sentTexts: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const text = `visitor message ${i}`;
      sentTexts.push(text);
      session.send(text);
      if (i % 50 === 25) {
        session.drop(); // 20 forced disconnects while messages are in flight
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i % 100 === 99) await until('the outbox to drain', () => session.unconfirmed < 50, 60_000);
    }
    await until('every message confirmed', () => session.unconfirmed === 0, 120_000);
    const mine = got.filter((m) => m.dir === 'in').map((m) => m.text);
    assert.deepEqual(mine, sentTexts);
    assert.deepEqual(
      got.map((m) => m.seq),
      got.map((_, i) => i + 1),
    );

    // The agent's view holds each message once, in order.
    const list = await admin.request('GET', '/api/contacts?scope=all&state=queued');
    const contact = (list.json['contacts'] as Array<{ id: string; channel: string }>).find(
      (c) => c.channel === 'webchat',
    );
    assert.ok(contact, 'a queued web chat contact exists');
    const accepted = await admin.request('POST', `/api/contacts/${contact.id}/transition`, { to: 'active' });
    assert.equal(accepted.status, 200);
    const view = await admin.request('GET', `/api/contacts/${contact.id}`);
    const stored = (view.json['messages'] as Array<{ text: string; direction: string }>)
      .filter((m) => m.direction === 'in')
      .map((m) => m.text);
    assert.deepEqual(stored, sentTexts);

    // Agent replies reach the widget once each, in order, across more disconnects.
    const before = got.length;
    for (let i = 0; i < 40; i++) {
      const r = await admin.request('POST', `/api/contacts/${contact.id}/reply`, {
        text: `agent reply ${i}`,
      });
      assert.equal(r.status, 201);
      if (i % 10 === 5) session.drop();
    }
    await until('all replies delivered', () => got.length === before + 40);
    assert.deepEqual(
      got.slice(before).map((m) => m.text),
      Array.from({ length: 40 }, (_, i) => `agent reply ${i}`),
    );
    assert.deepEqual(
      got.map((m) => m.seq),
      got.map((_, i) => i + 1),
    );
    session.close();
  });

  test('a huge frame, bad JSON, a binary frame and an unknown frame each get an error frame and the socket stays usable', async () => {
    const { ws, frames } = await rawSocket(app.base);
    ws.send('x'.repeat(100_000));
    ws.send('{not json');
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify({ t: 'send', cid: 'a', text: 'before hello' }));
    ws.send(JSON.stringify({ t: 'hack', payload: 1 }));
    await until('five errors', () => frames.length >= 5);
    const codes = frames.filter((f) => f['t'] === 'error').map((f) => f['code']);
    assert.deepEqual(codes, [
      'WEBCHAT_FRAME_TOO_LARGE',
      'WEBCHAT_BAD_FRAME',
      'WEBCHAT_BAD_FRAME',
      'WEBCHAT_NOT_READY',
      'WEBCHAT_BAD_FRAME',
    ]);
    ws.send(JSON.stringify({ t: 'hello', token: randomId(24), lastSeq: 0 }));
    await until('welcome', () => frames.some((f) => f['t'] === 'welcome'));
    ws.close();
    const health = await fetch(`${app.base}/healthz`);
    assert.equal(health.status, 200);
  });

  test('a widget socket from an Origin outside the allow-list is refused once origins are restricted', async () => {
    const put = await admin.request('PUT', '/api/webchat/settings', {
      hours: [],
      timeZone: 'Asia/Shanghai',
      origins: ['https://bank.example'],
    });
    assert.equal(put.status, 200);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${app.base.replace('http', 'ws')}/widget/ws`, {
        origin: 'https://evil.example',
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(refused, 403);
    await admin.request('PUT', '/api/webchat/settings', {
      hours: [],
      timeZone: 'Asia/Shanghai',
      origins: ['*'],
    });
  });
});
