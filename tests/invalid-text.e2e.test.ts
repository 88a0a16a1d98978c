// Text the appliance acknowledges is the text it stores: raw bytes over real HTTP to a
// real appliance process. Invalid UTF-8, a lone surrogate escape and NUL get a coded
// 400 naming the field; Chinese text and emoji are stored and echoed byte for byte.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { aesKeyFrom, wechatEncrypt, wechatSignature } from '../appliance/src/channels/wechat/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;

before(async () => {
  const tmp = await tempDataDir('bl-text-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

/** POSTs `body` exactly as given (no re-encoding by a JSON client). */
async function postRaw(path: string, body: Buffer) {
  const r = await fetch(app.base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: admin.cookie,
      'x-csrf-token': admin.csrf,
    },
    body: new Uint8Array(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('invalid UTF-8 bytes, a lone surrogate escape and NUL in a JSON body each get 400 HTTP_INVALID_TEXT naming the field, and nothing is stored', async () => {
  const before = await admin.request('GET', '/api/tickets');
  const cases: Array<[string, Buffer, string, string]> = [
    [
      'invalid UTF-8',
      bytes('{"subject":"卡', [0xff, 0xfe], '丢了","description":"d"}'),
      'subject',
      'invalid_utf8',
    ],
    [
      'a truncated UTF-8 sequence',
      bytes('{"subject":"ok","description":"a', [0xe5, 0x8d], '"}'),
      'description',
      'invalid_utf8',
    ],
    [
      'a lone surrogate escape',
      bytes('{"subject":"x\\ud800y","description":"d"}'),
      'subject',
      'lone_surrogate',
    ],
    ['NUL', bytes('{"subject":"ok","description":"a\\u0000b"}'), 'description', 'nul'],
  ];
  for (const [what, body, field, reason] of cases) {
    const r = await postRaw('/api/tickets', body);
    assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
    const error = r.json['error'] as { code: string; details?: { field?: string; reason?: string } };
    assert.equal(error.code, 'HTTP_INVALID_TEXT', what);
    assert.equal(error.details?.field, field, what);
    assert.equal(error.details?.reason, reason, what);
  }
  const afterwards = await admin.request('GET', '/api/tickets');
  assert.deepEqual(afterwards.json, before.json, 'no ticket was created');
});

test('Chinese text and emoji (surrogate pairs, raw or escaped) are stored and echoed identically', async () => {
  const subject = '银行卡挂失 💳 请尽快处理 👍🏽';
  const description = '客户说：“卡丢了” 😀';
  // The description as JSON escapes, the subject as raw UTF-8: both are valid text.
  const escaped = JSON.stringify(description).replace(/[^\x20-\x7e]/gu, (ch) =>
    ch
      .split('') // UTF-16 code units: an emoji becomes its escaped surrogate pair
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  );
  const r = await postRaw(
    '/api/tickets',
    bytes(`{"subject":${JSON.stringify(subject)},"description":${escaped}}`),
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json['subject'], subject);
  assert.equal(r.json['description'], description);
  const stored = await admin.request('GET', `/api/tickets/${r.json['id']}`);
  assert.equal(stored.status, 200);
  const ticket = (stored.json['ticket'] ?? stored.json) as Record<string, unknown>;
  assert.equal(ticket['subject'], subject);
  assert.equal(ticket['description'], description);
});

test('a widget frame with a lone surrogate or NUL gets an HTTP_INVALID_TEXT error frame', async () => {
  const frames: Array<Record<string, unknown>> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/widget/ws`);
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    ws.send(JSON.stringify({ t: 'hello', token: randomBytes(18).toString('base64url'), lastSeq: 0 }));
    await until('widget welcome', () => frames.find((f) => f['t'] === 'welcome'));
    for (const text of ['x\\ud800y', 'a\\u0000b']) {
      frames.length = 0;
      ws.send(`{"t":"send","cid":"bad","text":"${text}"}`);
      const error = await until('the error frame', () => frames.find((f) => f['t'] === 'error'));
      assert.equal(error['code'], 'HTTP_INVALID_TEXT');
      assert.match(String(error['message']), /text/);
    }
  } finally {
    ws.terminate();
  }
});

test('a WeChat callback whose decrypted Content holds NUL gets 400 HTTP_INVALID_TEXT naming Content', async () => {
  const OA = {
    receiverId: 'wxtextcheck1',
    secret: 'oa-secret-textcheck',
    token: 'oatoken3',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };
  const cfg = await admin.request('PUT', '/api/channels/wechat/config', OA);
  assert.equal(cfg.status, 200, JSON.stringify(cfg.json));
  const ts = String(Math.floor(Date.now() / 1000));
  const inner = `<xml><FromUserName>oTextUser</FromUserName><CreateTime>${ts}</CreateTime><MsgType>text</MsgType><Content>a\u0000b</Content><MsgId>8200000001</MsgId></xml>`;
  const enc = wechatEncrypt(aesKeyFrom(OA.encodingAesKey), inner, OA.receiverId);
  const q = new URLSearchParams({
    timestamp: ts,
    nonce: 'n1',
    signature: wechatSignature([OA.token, ts, 'n1']),
    msg_signature: wechatSignature([OA.token, ts, 'n1', enc]),
  });
  const r = await fetch(`${app.base}/api/channels/wechat/callback?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  });
  assert.equal(r.status, 400);
  const body = (await r.json()) as { error: { code: string; details?: { field?: string } } };
  assert.equal(body.error.code, 'HTTP_INVALID_TEXT');
  assert.equal(body.error.details?.field, 'Content');
});
