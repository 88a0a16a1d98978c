/**
 * WeChat OA and WeCom channels over real HTTP on 127.0.0.1. Tencent's servers
 * cannot exist here: the platform is FAKED locally — this test signs and
 * encrypts callbacks itself (published algorithm) and a local HTTP server plays
 * the token and customer-service APIs. Conversations is a recording fake.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '@hono/node-server';
import {
  aesKeyFrom,
  cryptoCounters,
  WechatChannel,
  wechatEncrypt,
  wechatSignature,
  xmlCounters,
} from '../appliance/src/channels/wechat/index.ts';
import { wechatRoutes } from '../appliance/src/channels/wechat/routes.ts';
import type { InboundMessage } from '../appliance/src/conversations/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import { createApp, type Principal } from '../appliance/src/http/index.ts';
import { type CryptoFacade, openCrypto, openPouchStore } from '../appliance/src/storage/index.ts';
import { tempDataDir } from './support/appliance.ts';

const OA = {
  receiverId: 'wxappid0001',
  secret: 'oa-secret-123456',
  token: 'oatoken1',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const WC = {
  receiverId: 'wwcorp0001',
  secret: 'wc-secret-123456',
  token: 'wctoken1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  openKfId: 'wkKF01',
};

/** Temporary media the fake platform serves from `media/get` (a JPEG and an AMR voice clip, by magic bytes). */
const MEDIA: Record<string, { mime: string; data: Buffer }> = {
  med1: {
    mime: 'image/jpeg',
    data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 1, 2, 3]),
  },
  med2: { mime: 'audio/amr', data: Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(32, 0x3c)]) },
};

/** The fake platform API: token endpoints, send endpoints, and a way to expire tokens. */
class FakePlatform {
  server: Server;
  tokenFetches = 0;
  sent: Array<{ path: string; body: Record<string, unknown> }> = [];
  #valid = new Set<string>();
  #n = 0;
  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const q = url.searchParams;
      const reply = (o: object) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      if (url.pathname === '/cgi-bin/token' || url.pathname === '/cgi-bin/gettoken') {
        const ok =
          url.pathname === '/cgi-bin/token'
            ? q.get('appid') === OA.receiverId &&
              q.get('secret') === OA.secret &&
              q.get('grant_type') === 'client_credential'
            : q.get('corpid') === WC.receiverId && q.get('corpsecret') === WC.secret;
        if (!ok) return reply({ errcode: 40013, errmsg: 'invalid appid' });
        this.tokenFetches++;
        const t = `tok-${++this.#n}`;
        this.#valid.add(t);
        return reply({ access_token: t, expires_in: 7200 });
      }
      if (url.pathname === '/cgi-bin/media/get') {
        if (!this.#valid.has(q.get('access_token') ?? ''))
          return reply({ errcode: 42001, errmsg: 'access_token expired' });
        const file = MEDIA[q.get('media_id') ?? ''];
        if (!file) return reply({ errcode: 40007, errmsg: 'invalid media_id' });
        return res.writeHead(200, { 'content-type': file.mime }).end(file.data);
      }
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        if (!this.#valid.has(q.get('access_token') ?? ''))
          return reply({ errcode: 42001, errmsg: 'access_token expired' });
        this.sent.push({ path: url.pathname, body: JSON.parse(data) });
        reply(
          url.pathname === '/cgi-bin/kf/send_msg'
            ? { errcode: 0, errmsg: 'ok', msgid: `m${this.sent.length}` }
            : { errcode: 0, errmsg: 'ok' },
        );
      });
    });
  }
  expireAll(): void {
    this.#valid.clear();
  }
  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const ADMIN: Principal = {
  userId: 'u-admin',
  username: 'admin',
  roles: ['admin'],
  permissions: new Set(['system.manage']),
  sessionId: 's1',
  csrfToken: 'csrf1',
  mustChangePassword: false,
  mfaSetupRequired: false,
};
const AGENT: Principal = {
  ...ADMIN,
  userId: 'u-agent',
  permissions: new Set(['contacts.handle']),
  sessionId: 's2',
  csrfToken: 'csrf2',
};

let dir: { dir: string; cleanup: () => Promise<void> };
let crypto: CryptoFacade;
let platform: FakePlatform;
let http: ReturnType<typeof serve>;
let base: string;
const stores: Array<{ close(): Promise<void> }> = [];
const channels: Record<'wechat' | 'wecom', WechatChannel> = {} as never;
const ingested: InboundMessage[] = [];

before(async () => {
  dir = await tempDataDir('bl-wechat-');
  crypto = await openCrypto(dir.dir);
  platform = new FakePlatform();
  await new Promise<void>((r) => platform.server.listen(0, '127.0.0.1', r));
  const bus = new EventBus();
  for (const flavour of ['wechat', 'wecom'] as const) {
    const store = await openPouchStore(join(dir.dir, 'db'), `channel-${flavour}`);
    stores.push(store);
    channels[flavour] = new WechatChannel(flavour, store, {
      crypto,
      bus,
      apiBaseUrl: platform.base,
      retryMs: 50,
    });
    channels[flavour].start(async (m) => void ingested.push(m));
  }
  const app = createApp({
    resolveSession: async (sid) => (sid === 's1' ? ADMIN : sid === 's2' ? AGENT : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [
      ['/api', wechatRoutes(channels.wechat)],
      ['/api', wechatRoutes(channels.wecom)],
    ],
  });
  http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => http.once('listening', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  for (const [flavour, creds] of [
    ['wechat', OA],
    ['wecom', WC],
  ] as const) {
    const res = await put(`/api/channels/${flavour}/config`, creds, 's1');
    assert.equal(res.status, 200, await res.clone().text());
  }
});

after(async () => {
  for (const ch of Object.values(channels)) await ch.close();
  for (const s of stores) await s.close();
  await new Promise((r) => http.close(r));
  await new Promise((r) => platform.server.close(r));
  crypto.close();
  await dir.cleanup();
});

function put(path: string, body: unknown, sid: string, csrf = sid === 's1' ? 'csrf1' : 'csrf2') {
  return fetch(`${base}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie: `__Host-bl_session=${sid}`, 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  });
}

let nonceN = 0;
const now = () => String(Math.floor(Date.now() / 1000));

/** Builds a callback exactly as the platform would (signature over the Encrypt value). */
function callback(
  flavour: 'wechat' | 'wecom',
  innerXml: string,
  o: { ts?: string; receiver?: string; tamper?: boolean; envelope?: (enc: string) => string } = {},
) {
  const c = flavour === 'wechat' ? OA : WC;
  const ts = o.ts ?? now();
  const nonce = String(++nonceN);
  const enc = wechatEncrypt(aesKeyFrom(c.encodingAesKey), innerXml, o.receiver ?? c.receiverId);
  const q = new URLSearchParams({
    timestamp: ts,
    nonce,
    msg_signature: wechatSignature([c.token, ts, nonce, enc]),
  });
  if (flavour === 'wechat') {
    q.set('signature', wechatSignature([c.token, ts, nonce]));
    q.set('encrypt_type', 'aes');
    q.set('openid', 'x');
  }
  if (o.tamper) q.set('msg_signature', wechatSignature([c.token, ts, nonce, `${enc}x`]));
  const body = o.envelope
    ? o.envelope(enc)
    : `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
  return fetch(`${base}/api/channels/${flavour}/callback?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
}

const textMsg = (from: string, msgId: string, content: string) =>
  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;

async function settle(): Promise<void> {
  await channels.wechat.inbox.idle();
  await channels.wecom.inbox.idle();
}

test('GET URL verification echoes the OA echostr and decrypts the WeCom echostr; a bad signature gets 401', async () => {
  const ts = now();
  const oa = new URLSearchParams({
    timestamp: ts,
    nonce: '7',
    echostr: 'hello123',
    signature: wechatSignature([OA.token, ts, '7']),
  });
  const r1 = await fetch(`${base}/api/channels/wechat/callback?${oa}`);
  assert.equal(await r1.text(), 'hello123');
  const echo = wechatEncrypt(aesKeyFrom(WC.encodingAesKey), '9876543210', WC.receiverId);
  const wc = new URLSearchParams({
    timestamp: ts,
    nonce: '8',
    echostr: echo,
    msg_signature: wechatSignature([WC.token, ts, '8', echo]),
  });
  const r2 = await fetch(`${base}/api/channels/wecom/callback?${wc}`);
  assert.equal(await r2.text(), '9876543210');
  oa.set('signature', '0'.repeat(40));
  const r3 = await fetch(`${base}/api/channels/wechat/callback?${oa}`);
  assert.equal(r3.status, 401);
  assert.equal((await r3.json()).error.code, 'WECHAT_BAD_SIGNATURE');
});

test('three deliveries of one MsgId and a later replay ingest one message, each acknowledged "success"', async () => {
  const before = ingested.length;
  const xml = textMsg('oOpenid-A', '7000000000000000001', '你好，我要查询账户');
  for (let i = 0; i < 3; i++) {
    const r = await callback('wechat', xml);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'success');
  }
  await settle();
  const replay = await callback('wechat', xml);
  assert.equal(replay.status, 200);
  await settle();
  const mine = ingested.slice(before);
  assert.equal(mine.length, 1);
  assert.equal(mine[0]?.text, '你好，我要查询账户');
  assert.deepEqual(mine[0]?.handles, [{ kind: 'wechat_openid', value: 'oOpenid-A' }]);
  assert.equal(mine[0]?.threadKey, 'wechat:oOpenid-A');
  assert.equal(mine[0]?.externalId, 'wechat:7000000000000000001');
});

test('bad signature, stale timestamp and wrong receiver id are refused before decryption or parsing', async () => {
  const xml = textMsg('oOpenid-B', '7000000000000000002', 'x');
  const d0 = cryptoCounters.decrypt;
  const p0 = xmlCounters.parse;
  const bad = await callback('wecom', xml, { tamper: true });
  assert.equal(bad.status, 401);
  assert.equal((await bad.json()).error.code, 'WECHAT_BAD_SIGNATURE');
  const stale = await callback('wechat', xml, { ts: String(Math.floor(Date.now() / 1000) - 301) });
  assert.equal(stale.status, 401);
  assert.equal((await stale.json()).error.code, 'WECHAT_STALE_TIMESTAMP');
  assert.equal(cryptoCounters.decrypt, d0, 'nothing was decrypted');
  const wrong = await callback('wecom', xml, { receiver: 'wwOTHERcorp' });
  assert.equal(wrong.status, 403);
  assert.equal((await wrong.json()).error.code, 'WECHAT_RECEIVER_MISMATCH');
  assert.equal(xmlCounters.parse, p0, 'nothing was parsed');
});

test('XXE and billion-laughs payloads are refused without parsing, outside or inside the encryption', async () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><FromUserName>&x;</FromUserName><MsgType>text</MsgType><MsgId>1</MsgId></xml>`;
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>`;
  const p0 = xmlCounters.parse;
  const d0 = cryptoCounters.decrypt;
  for (const evil of [xxe, lol]) {
    const outer = await callback('wechat', textMsg('o', '1', 'x'), {
      envelope: (enc) => evil.replace('</xml>', `<Encrypt><![CDATA[${enc}]]></Encrypt></xml>`),
    });
    assert.equal(outer.status, 400);
    assert.equal((await outer.json()).error.code, 'WECHAT_BAD_XML');
  }
  assert.equal(cryptoCounters.decrypt, d0, 'an envelope with a DTD is never decrypted');
  for (const evil of [xxe, lol]) {
    const inner = await callback('wecom', evil);
    assert.equal(inner.status, 400);
    assert.equal((await inner.json()).error.code, 'WECHAT_BAD_XML');
  }
  assert.equal(xmlCounters.parse, p0, 'no hostile XML reached the parser');
  const huge = await callback('wechat', textMsg('o', '2', 'x'.repeat(70 * 1024)));
  assert.equal(huge.status, 413);
});

test('image, voice, location, subscribe, unsubscribe and menu CLICK map to inbound messages; events dedupe without MsgId', async () => {
  const before = ingested.length;
  const t = now();
  const head = (from: string, type: string) =>
    `<xml><ToUserName>gh_1</ToUserName><FromUserName>${from}</FromUserName><CreateTime>${t}</CreateTime><MsgType>${type}</MsgType>`;
  const msgs = [
    `${head('wmExt-1', 'image')}<PicUrl>http://p/1.jpg</PicUrl><MediaId>med1</MediaId><MsgId>81</MsgId></xml>`,
    `${head('wmExt-1', 'voice')}<MediaId>med2</MediaId><Format>amr</Format><Recognition>查余额</Recognition><MsgId>82</MsgId></xml>`,
    `${head('wmExt-1', 'location')}<Location_X>31.2</Location_X><Location_Y>121.4</Location_Y><Scale>15</Scale><Label>上海</Label><MsgId>83</MsgId></xml>`,
    `${head('wmExt-1', 'event')}<Event>subscribe</Event></xml>`,
    `${head('wmExt-1', 'event')}<Event>CLICK</Event><EventKey>MENU_BALANCE</EventKey></xml>`,
    `${head('wmExt-1', 'event')}<Event>unsubscribe</Event></xml>`,
  ];
  for (const m of msgs) assert.equal((await callback('wecom', m)).status, 200);
  assert.equal((await callback('wecom', msgs[4] as string)).status, 200); // platform retry of the CLICK
  await settle();
  const got = ingested.slice(before);
  assert.deepEqual(
    got.map((m) => m.text),
    [
      '[image]',
      '查余额',
      '[location] 上海 (31.2, 121.4)',
      '[event] subscribe',
      '[menu] MENU_BALANCE',
      '[event] unsubscribe',
    ],
  );
  assert.deepEqual(got[0]?.handles, [{ kind: 'wecom_external', value: 'wmExt-1' }]);
  assert.equal(got[0]?.meta?.['mediaId'], 'med1');
  // The image and voice bytes came through media/get and ride along as attachments.
  assert.deepEqual(
    got[0]?.attachments?.map((a) => [a.mime, Buffer.from(a.data).equals(MEDIA['med1']?.data as Buffer)]),
    [['image/jpeg', true]],
  );
  assert.deepEqual(
    got[1]?.attachments?.map((a) => [a.mime, Buffer.from(a.data).equals(MEDIA['med2']?.data as Buffer)]),
    [['audio/amr', true]],
  );
  assert.equal(got[4]?.meta?.['eventKey'], 'MENU_BALANCE');
  assert.ok(got.every((m) => m.channel === 'wecom' && m.threadKey === 'wecom:wmExt-1'));
});

test('replies use the customer-service APIs with a cached token, refreshed once after the platform expires it', async () => {
  const f0 = platform.tokenFetches;
  const contact = {} as never;
  const msg = (text: string) => ({ text }) as never;
  await channels.wechat.sender.send({
    contact,
    message: msg('one'),
    to: [{ kind: 'wechat_openid', value: 'oOpenid-A' }],
  });
  await channels.wechat.sender.send({
    contact,
    message: msg('two'),
    to: [{ kind: 'wechat_openid', value: 'oOpenid-A' }],
  });
  assert.equal(platform.tokenFetches - f0, 1, 'the token is cached');
  platform.expireAll();
  await channels.wechat.sender.send({
    contact,
    message: msg('three'),
    to: [{ kind: 'wechat_openid', value: 'oOpenid-A' }],
  });
  assert.equal(platform.tokenFetches - f0, 2, 'refreshed once on 42001');
  const r = await channels.wecom.sender.send({
    contact,
    message: msg('kf'),
    to: [{ kind: 'wecom_external', value: 'wmExt-1' }],
  });
  assert.ok(r.externalId?.startsWith('m'));
  const last = platform.sent.at(-1);
  assert.equal(last?.path, '/cgi-bin/kf/send_msg');
  assert.deepEqual(last?.body, {
    touser: 'wmExt-1',
    open_kfid: 'wkKF01',
    msgtype: 'text',
    text: { content: 'kf' },
  });
  assert.deepEqual(
    platform.sent
      .filter((s) => s.path === '/cgi-bin/message/custom/send')
      .map((s) => (s.body['text'] as { content: string }).content),
    ['one', 'two', 'three'],
  );
});

test('the config API needs system.manage, rejects unknown fields, masks secrets, and stores them encrypted', async () => {
  assert.equal((await put('/api/channels/wechat/config', OA, 's2')).status, 403);
  assert.equal((await put('/api/channels/wechat/config', { ...OA, extra: 1 }, 's1')).status, 400);
  const res = await fetch(`${base}/api/channels/wechat/config`, {
    headers: { cookie: '__Host-bl_session=s1' },
  });
  const body = await res.json();
  assert.equal(body.configured, true);
  assert.equal(body.receiverId, OA.receiverId);
  const text = JSON.stringify(body);
  for (const secret of [OA.secret, OA.token, OA.encodingAesKey]) assert.ok(!text.includes(secret));
  const files = await readdir(join(dir.dir, 'db'), { recursive: true, withFileTypes: true });
  const raw = Buffer.concat(
    await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name)))),
  );
  assert.ok(!raw.includes(OA.secret) && !raw.includes(OA.encodingAesKey), 'no secret in clear on disk');
  assert.ok(!raw.includes('你好，我要查询账户'), 'no message body in clear on disk');
});
