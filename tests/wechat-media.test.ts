/**
 * End to end on the real appliance process: WeChat OA image media and a WeCom
 * 微信客服 message reach the customer's 360 timeline; the image is stored
 * encrypted and reads back through the attachments API byte for byte.
 * Tencent's servers cannot exist here: a local HTTP server on 127.0.0.1 plays
 * the WeChat/WeCom platform (token, media/get, kf/sync_msg), wired in through
 * BRANCHLINE_WECHAT_API_BASE / BRANCHLINE_WECOM_API_BASE; the callbacks are
 * signed and encrypted here with the published algorithm.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { aesKeyFrom, wechatEncrypt, wechatSignature } from '../appliance/src/channels/wechat/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

const OA = {
  receiverId: 'wxappmedia01',
  secret: 'oa-media-secret-1',
  token: 'oamedia1',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const WC = {
  receiverId: 'wwcorpmedia01',
  secret: 'wc-media-secret-1',
  token: 'wcmedia1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  openKfId: 'wkMEDIA',
};
const OPENID = 'oMediaOpenid01';
const EXTERNAL = 'wmMediaExternal01';
// A canary inside the image: if it appears in any data file, the bytes were stored in clear.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('BRANCHLINE-MEDIA-CANARY-7f3a9c'),
]);

const kfLog: object[] = [];
const kfText = (msgid: string, content: string) => ({
  msgid,
  open_kfid: WC.openKfId,
  external_userid: EXTERNAL,
  send_time: Math.floor(Date.now() / 1000),
  origin: 3,
  msgtype: 'text',
  text: { content },
});

/** The fake platform: tokens, two media ids (one refused with errcode 40007) and one kf message. */
function fakePlatform(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (o: object) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
    if (url.pathname === '/cgi-bin/token' || url.pathname === '/cgi-bin/gettoken')
      return json({ access_token: 'tok', expires_in: 7200 });
    if (url.pathname === '/cgi-bin/media/get') {
      if (url.searchParams.get('media_id') === 'mediaPNG')
        return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      return json({ errcode: 40007, errmsg: 'invalid media_id' });
    }
    // Serves the whole log whatever the cursor: a re-delivery the channel must de-duplicate.
    if (url.pathname === '/cgi-bin/kf/sync_msg')
      return json({
        errcode: 0,
        errmsg: 'ok',
        next_cursor: `c${kfLog.length}`,
        has_more: 0,
        msg_list: kfLog,
      });
    json({ errcode: 404, errmsg: 'not faked' });
  });
}

let app: RunningAppliance;
let admin: ApiClient;
let platform: Server;
let cleanup: () => Promise<void>;
let customerId: string;

before(async () => {
  platform = fakePlatform();
  await new Promise<void>((r) => platform.listen(0, '127.0.0.1', r));
  const fake = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
  const tmp = await tempDataDir('bl-wechat-media-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_WECHAT_API_BASE: fake, BRANCHLINE_WECOM_API_BASE: fake },
  });
  admin = (await bootstrapAdmin(app)).admin;
  for (const [flavour, creds] of [
    ['wechat', OA],
    ['wecom', WC],
  ] as const) {
    const r = await admin.request('PUT', `/api/channels/${flavour}/config`, creds);
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  const created = await admin.request('POST', '/api/customers', { name: 'Li Na', phone: '+8613900139000' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  customerId = created.json['id'];
  for (const [kind, value] of [
    ['wechat_openid', OPENID],
    ['wecom_external', EXTERNAL],
  ]) {
    const r = await admin.request('POST', `/api/customers/${customerId}/handles`, { kind, value });
    assert.equal(r.status, 204, JSON.stringify(r.json));
  }
});

after(async () => {
  await app?.stop();
  await new Promise((r) => platform.close(r));
  await cleanup?.();
});

let nonce = 0;
function callback(flavour: 'wechat' | 'wecom', inner: string): Promise<Response> {
  const c = flavour === 'wechat' ? OA : WC;
  const ts = String(Math.floor(Date.now() / 1000));
  const n = `m${++nonce}`;
  const enc = wechatEncrypt(aesKeyFrom(c.encodingAesKey), inner, c.receiverId);
  const q = new URLSearchParams({
    timestamp: ts,
    nonce: n,
    msg_signature: wechatSignature([c.token, ts, n, enc]),
  });
  if (flavour === 'wechat') q.set('signature', wechatSignature([c.token, ts, n]));
  return fetch(`${app.base}/api/channels/${flavour}/callback?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName>${c.receiverId}</ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  });
}

type Entry = {
  channel: string;
  text: string;
  externalId?: string;
  attachments: Array<{ id: string; mime: string; bytes: number }>;
};
async function timeline(): Promise<Entry[]> {
  const r = await admin.request('GET', `/api/customers/${customerId}/360`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json['timeline'] as Entry[];
}

const image = (msgId: string, mediaId: string) =>
  `<xml><ToUserName>gh_media</ToUserName><FromUserName>${OPENID}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>image</MsgType><PicUrl>http://mmbiz.example/${msgId}</PicUrl><MediaId>${mediaId}</MediaId><MsgId>${msgId}</MsgId></xml>`;

test('an OA image is fetched through media/get, stored encrypted, and the attachments API returns the same bytes', async () => {
  assert.equal((await callback('wechat', image('880001', 'mediaPNG'))).status, 200);
  const entry = await until(
    'the image message in the 360',
    async () => (await timeline()).find((m) => m.externalId === 'wechat:880001'),
    { timeoutMs: 20_000 },
  );
  assert.equal(entry.text, '[image]');
  assert.equal(entry.attachments.length, 1);
  const att = entry.attachments[0] as Entry['attachments'][number];
  assert.equal(att.mime, 'image/png');
  assert.equal(att.bytes, PNG.length);
  const res = await fetch(`${app.base}/api/attachments/${att.id}`, { headers: { cookie: admin.cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(PNG), 'the same bytes back');
  const files = await readdir(join(app.dataDir), { recursive: true, withFileTypes: true });
  for (const f of files.filter((x) => x.isFile())) {
    const raw = await readFile(join(f.parentPath, f.name));
    assert.ok(!raw.includes('BRANCHLINE-MEDIA-CANARY-7f3a9c'), `image bytes in clear in ${f.name}`);
  }
});

test('a media/get errcode keeps the message, marked "media unavailable", and the appliance keeps running', async () => {
  assert.equal((await callback('wechat', image('880002', 'mediaGONE'))).status, 200);
  const entry = await until(
    'the marked message',
    async () => (await timeline()).find((m) => m.externalId === 'wechat:880002'),
    { timeoutMs: 20_000 },
  );
  assert.equal(entry.text, '[image] [media unavailable]');
  assert.deepEqual(entry.attachments, []);
  assert.equal((await fetch(`${app.base}/healthz`)).status, 200);
  assert.match(app.stderr(), /media not fetched/);
});

test('a WeCom kf doorbell pulls sync_msg and the customer message joins the linked customer once, even when rung twice', async () => {
  const bell = (token: string) =>
    `<xml><ToUserName>${WC.receiverId}</ToUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>event</MsgType><Event>kf_msg_or_event</Event><Token>${token}</Token><OpenKfId>${WC.openKfId}</OpenKfId></xml>`;
  kfLog.push(kfText('kfmsg1', '微信客服：卡片寄到哪里？'));
  assert.equal((await callback('wecom', bell('T1'))).status, 200);
  await until('the kf message', async () =>
    (await timeline()).find((m) => m.externalId === 'wecom:kf:kfmsg1'),
  );
  kfLog.push(kfText('kfmsg2', '微信客服：谢谢'));
  assert.equal((await callback('wecom', bell('T2'))).status, 200);
  // kfmsg1 comes again on the same page before kfmsg2: once kfmsg2 is in, the repeat was handled.
  await until('the second kf message', async () =>
    (await timeline()).find((m) => m.externalId === 'wecom:kf:kfmsg2'),
  );
  const kf = (await timeline()).filter((m) => m.channel === 'wecom');
  assert.deepEqual(
    kf.map((m) => m.text),
    ['微信客服：卡片寄到哪里？', '微信客服：谢谢'],
  );
});
