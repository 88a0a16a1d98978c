/**
 * WeCom 微信客服 (kf) pull and WeChat/WeCom media downloads, on real LevelDB.
 * Tencent's servers cannot exist here: the platform is FAKED by a local HTTP
 * server on 127.0.0.1 (gettoken, kf/sync_msg, kf/send_msg, media/get); this
 * test signs and encrypts the callbacks itself with the published algorithm.
 * The conversations service is a recording fake that does NOT de-duplicate, so
 * "once" below is the channel's own doing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  aesKeyFrom,
  MEDIA_UNAVAILABLE,
  WechatChannel,
  wechatEncrypt,
  wechatSignature,
} from '../appliance/src/channels/wechat/index.ts';
import type { Contact, InboundMessage } from '../appliance/src/conversations/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import { setLogSink } from '../appliance/src/logging/index.ts';
import {
  type CryptoFacade,
  type DocStore,
  openCrypto,
  openPouchStore,
} from '../appliance/src/storage/index.ts';
import { tempDataDir } from './support/appliance.ts';
import { until, untilTrue } from './support/until.ts';

const WC = {
  receiverId: 'wwcorpkf01',
  secret: 'wc-kf-secret-123456',
  token: 'kftoken1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  openKfId: 'wkDEFAULT',
};
const KF = 'wkBRANCH01';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('kf-image-bytes'),
]);
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(40, 0x2c)]);

type KfMsg = Record<string, unknown>;
const customer = (msgid: string, ext: string, body: Record<string, unknown>): KfMsg => ({
  msgid,
  open_kfid: KF,
  external_userid: ext,
  send_time: Math.floor(Date.now() / 1000),
  origin: 3,
  ...body,
});

/** The fake WeCom platform: a kf message log served by cursor, media, send_msg; every request recorded. */
class FakeWecom {
  server: Server;
  log: KfMsg[] = [];
  pageSize = 2;
  /** Serve from the start whatever cursor is sent (a platform re-delivering what we already have). */
  rewind = false;
  syncs: Array<Record<string, unknown>> = [];
  sends: Array<Record<string, unknown>> = [];
  mediaGets = 0;
  flakyLeft = 1;
  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (o: object, status = 200) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      if (url.pathname === '/cgi-bin/gettoken') return json({ access_token: 'tok', expires_in: 7200 });
      if (url.pathname === '/cgi-bin/media/get')
        return this.#media(url.searchParams.get('media_id'), res, json);
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        const body = JSON.parse(data) as Record<string, unknown>;
        if (url.pathname === '/cgi-bin/kf/send_msg') {
          this.sends.push(body);
          return json({ errcode: 0, errmsg: 'ok', msgid: `out${this.sends.length}` });
        }
        if (url.pathname !== '/cgi-bin/kf/sync_msg') return json({ errcode: 404 }, 404);
        this.syncs.push(body);
        const cursor = String(body['cursor'] ?? '');
        const from = this.rewind || !cursor ? 0 : Number(cursor.slice(1));
        const page = this.log.slice(from, from + this.pageSize);
        const next = from + page.length;
        json({
          errcode: 0,
          errmsg: 'ok',
          next_cursor: `c${next}`,
          has_more: next < this.log.length ? 1 : 0,
          msg_list: page,
        });
      });
    });
  }
  #media(id: string | null, res: import('node:http').ServerResponse, json: (o: object, s?: number) => void) {
    this.mediaGets++;
    if (id === 'm-png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (id === 'm-amr') return res.writeHead(200, { 'content-type': 'audio/amr' }).end(AMR);
    if (id === 'm-big')
      return res
        .writeHead(200, { 'content-type': 'image/png' })
        .end(Buffer.concat([PNG, Buffer.alloc(4096)]));
    if (id === 'm-exe') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('MZ');
    if (id === 'm-slow') return; // never answers: the client's timeout must end it
    if (id === 'm-flaky' && this.flakyLeft-- > 0) return json({ errcode: -1, errmsg: 'system busy' }, 500);
    if (id === 'm-flaky') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    return json({ errcode: 40007, errmsg: 'invalid media_id' });
  }
  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

let dir: { dir: string; cleanup: () => Promise<void> };
let crypto: CryptoFacade;
let platform: FakeWecom;
let store: DocStore;
let channel: WechatChannel;
const ingested: InboundMessage[] = [];
const logs: string[] = [];

async function open(): Promise<void> {
  store = await openPouchStore(join(dir.dir, 'db'), 'channel-wecom');
  channel = new WechatChannel('wecom', store, {
    crypto,
    bus: new EventBus(),
    apiBaseUrl: platform.base,
    retryMs: 30,
    media: { maxBytes: 1024, timeoutMs: 300, attempts: 3 },
  });
  channel.start(async (m) => void ingested.push(m));
}

async function shut(): Promise<void> {
  await channel.close();
  await store.close();
}

before(async () => {
  dir = await tempDataDir('bl-wecom-kf-');
  crypto = await openCrypto(dir.dir);
  platform = new FakeWecom();
  await new Promise<void>((r) => platform.server.listen(0, '127.0.0.1', r));
  setLogSink((line) => logs.push(line));
  await open();
  await channel.configure(WC, { userId: 'u-admin' });
});

after(async () => {
  setLogSink((line) => process.stderr.write(`${line}\n`));
  await shut();
  platform.server.closeAllConnections();
  await new Promise((r) => platform.server.close(r));
  crypto.close();
  await dir.cleanup();
});

let nonce = 0;
/** A callback exactly as WeCom sends it: msg_signature over the Encrypt value. */
async function deliver(innerXml: string): Promise<{ accepted: boolean }> {
  const ts = String(Math.floor(Date.now() / 1000));
  const n = String(++nonce);
  const enc = wechatEncrypt(aesKeyFrom(WC.encodingAesKey), innerXml, WC.receiverId);
  return channel.receive(
    { timestamp: ts, nonce: n, msg_signature: wechatSignature([WC.token, ts, n, enc]) },
    `<xml><ToUserName>${WC.receiverId}</ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  );
}

const doorbell = (token: string) =>
  `<xml><ToUserName><![CDATA[${WC.receiverId}]]></ToUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${KF}]]></OpenKfId></xml>`;

const texts = (from: number) => ingested.slice(from).map((m) => m.text);

test('a kf_msg_or_event doorbell pages sync_msg while has_more and ingests each customer message once, with its image', async () => {
  platform.log.push(
    customer('k1', 'wmCust1', { msgtype: 'text', text: { content: '你好，我想挂失' } }),
    { msgid: 'k2', open_kfid: KF, origin: 4, msgtype: 'event', event: { event_type: 'enter_session' } },
    customer('k3', 'wmCust1', { msgtype: 'image', image: { media_id: 'm-png' } }),
    customer('k4', 'wmCust1', {
      msgtype: 'text',
      text: { content: '谢谢' },
      origin: 5,
      servicer_userid: 'zhang',
    }),
  );
  const from = ingested.length;
  assert.deepEqual(await deliver(doorbell('TOKEN-A')), { accepted: true });
  await until('two customer messages', () => (ingested.length - from >= 2 ? true : undefined));
  await channel.inbox.idle();
  assert.deepEqual(
    platform.syncs.map((s) => [s['cursor'], s['token'], s['open_kfid'], s['limit']]),
    [
      ['', 'TOKEN-A', KF, 1000],
      ['c2', 'TOKEN-A', KF, 1000],
    ],
    'two pages: the second from the first next_cursor',
  );
  assert.deepEqual(
    texts(from),
    ['你好，我想挂失', '[image]'],
    'system events and servicer echoes are not customer messages',
  );
  const [text, image] = ingested.slice(from);
  assert.deepEqual(text?.handles, [{ kind: 'wecom_external', value: 'wmCust1' }]);
  assert.equal(text?.externalId, 'wecom:kf:k1');
  assert.equal(text?.threadKey, 'wecom:wmCust1');
  assert.deepEqual(text?.attributes, { openKfId: KF });
  assert.equal(image?.attachments?.length, 1);
  assert.equal(image?.attachments?.[0]?.mime, 'image/png');
  assert.ok(Buffer.from(image?.attachments?.[0]?.data ?? []).equals(PNG), 'the bytes media/get served');
  assert.equal(await channel.kf.cursor(KF), 'c4');
});

test('a replayed doorbell and a platform re-delivering seen msgids add no duplicates; only the new message is ingested', async () => {
  const from = ingested.length;
  const syncs = platform.syncs.length;
  assert.deepEqual(await deliver(doorbell('TOKEN-A')), { accepted: false }, 'the same callback is a retry');
  await channel.inbox.idle();
  assert.equal(platform.syncs.length, syncs, 'a replayed doorbell pulls nothing');
  platform.rewind = true;
  platform.pageSize = 10;
  platform.log.push(customer('k5', 'wmCust1', { msgtype: 'voice', voice: { media_id: 'm-amr' } }));
  await deliver(doorbell('TOKEN-B'));
  await until('the voice message', () => (ingested.length > from ? true : undefined));
  await channel.inbox.idle();
  assert.deepEqual(texts(from), ['[voice]']);
  assert.equal(ingested.at(-1)?.attachments?.[0]?.mime, 'audio/amr');
  assert.ok(Buffer.from(ingested.at(-1)?.attachments?.[0]?.data ?? []).equals(AMR));
  platform.rewind = false;
});

test('after a restart the stored next_cursor is sent, so nothing is re-read or skipped', async () => {
  await channel.inbox.idle();
  const cursor = await channel.kf.cursor(KF);
  assert.equal(cursor, 'c5');
  await shut();
  platform.log.push(customer('k6', 'wmCust2', { msgtype: 'text', text: { content: '重启后的消息' } }));
  await open();
  const from = ingested.length;
  const syncs = platform.syncs.length;
  await deliver(doorbell('TOKEN-C'));
  await until('the message after restart', () => (ingested.length > from ? true : undefined));
  await channel.inbox.idle();
  assert.equal(platform.syncs[syncs]?.['cursor'], 'c5', 'the cursor survived the restart');
  assert.deepEqual(texts(from), ['重启后的消息']);
  assert.equal(await channel.kf.cursor(KF), 'c6');
});

test('an agent reply to a kf contact goes out through kf/send_msg from the kf account the customer wrote to', async () => {
  const contact = { attributes: { openKfId: KF } } as unknown as Contact;
  const r = await channel.sender.send({
    contact,
    message: { text: '您的卡已挂失' } as never,
    to: [{ kind: 'wecom_external', value: 'wmCust1' }],
  });
  assert.equal(r.externalId, `out${platform.sends.length}`);
  assert.deepEqual(platform.sends.at(-1), {
    touser: 'wmCust1',
    open_kfid: KF,
    msgtype: 'text',
    text: { content: '您的卡已挂失' },
  });
  await channel.sender.send({
    contact: { attributes: {} } as unknown as Contact,
    message: { text: 'x' } as never,
    to: [{ kind: 'wecom_external', value: 'wmCust9' }],
  });
  assert.equal(
    platform.sends.at(-1)?.['open_kfid'],
    WC.openKfId,
    'no kf account on the contact: the configured one',
  );
});

test('media errcode, oversize, wrong type and timeout keep the message with the marker and a logged error; a transient failure is retried', async () => {
  const from = ingested.length;
  const t = Math.floor(Date.now() / 1000);
  const image = (id: string, media: string) =>
    `<xml><ToUserName>${WC.receiverId}</ToUserName><FromUserName>wmCust3</FromUserName><CreateTime>${t}</CreateTime><MsgType>image</MsgType><PicUrl>http://p/${id}.jpg</PicUrl><MediaId>${media}</MediaId><MsgId>${id}</MsgId></xml>`;
  const cases = ['m-gone', 'm-big', 'm-exe', 'm-slow', 'm-flaky'];
  for (const [i, media] of cases.entries())
    assert.equal((await deliver(image(`90${i}`, media))).accepted, true);
  const got = await until(
    'all five messages',
    () => {
      const mine = ingested.slice(from);
      return mine.length === cases.length ? mine : undefined;
    },
    { timeoutMs: 20_000 },
  );
  const byId = new Map(got.map((m) => [m.externalId, m]));
  for (const [i, media] of cases.entries()) {
    const m = byId.get(`wecom:90${i}`);
    assert.ok(m, `message with ${media} kept`);
    if (media === 'm-flaky') {
      assert.equal(m.text, '[image]');
      assert.ok(Buffer.from(m.attachments?.[0]?.data ?? []).equals(PNG), 'fetched on the retry');
    } else {
      assert.equal(m.text, `[image] ${MEDIA_UNAVAILABLE}`, media);
      assert.equal(m.meta?.['media'], 'unavailable');
      assert.equal(m.attachments, undefined);
      assert.equal(m.meta?.['picUrl'], `http://p/90${i}.jpg`, 'the PicUrl stays with the message');
    }
  }
  assert.match(byId.get('wecom:900')?.meta?.['mediaError'] ?? '', /WECHAT_API_FAILED:40007/);
  assert.match(byId.get('wecom:901')?.meta?.['mediaError'] ?? '', /WECHAT_MEDIA_REFUSED/);
  assert.match(byId.get('wecom:902')?.meta?.['mediaError'] ?? '', /WECHAT_MEDIA_REFUSED/);
  await untilTrue('errors logged', () => logs.filter((l) => l.includes('media not fetched')).length === 4);
  const errors = logs.filter((l) => l.includes('media not fetched')).map((l) => JSON.parse(l));
  assert.ok(errors.every((e) => e.lvl === 'error'));
  assert.deepEqual(await store.list({ prefix: 'q:' }), [], 'the inbox drained: nothing stuck or failed');
});
