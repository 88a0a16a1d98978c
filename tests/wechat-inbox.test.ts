/** The durable WeChat inbox on real LevelDB: leftovers survive a restart; a failing ingest is retried. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  aesKeyFrom,
  WechatChannel,
  wechatEncrypt,
  wechatSignature,
} from '../appliance/src/channels/wechat/index.ts';
import type { InboundMessage } from '../appliance/src/conversations/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import { openCrypto, openPouchStore } from '../appliance/src/storage/index.ts';
import { tempDataDir } from './support/appliance.ts';

const CREDS = {
  receiverId: 'wxappid0001',
  secret: 'oa-secret-123456',
  token: 'oatoken1',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

function signed(xml: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const enc = wechatEncrypt(aesKeyFrom(CREDS.encodingAesKey), xml, CREDS.receiverId);
  return {
    q: {
      timestamp: ts,
      nonce: '1',
      signature: wechatSignature([CREDS.token, ts, '1']),
      msg_signature: wechatSignature([CREDS.token, ts, '1', enc]),
    },
    body: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  };
}
const msg = (id: string) =>
  `<xml><FromUserName>oUser</FromUserName><CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>hi ${id}</Content><MsgId>${id}</MsgId></xml>`;

test('messages accepted before a crash are ingested after restart, and a failing ingest is retried until it succeeds', async () => {
  const dir = await tempDataDir('bl-wechat-inbox-');
  const crypto = await openCrypto(dir.dir);
  try {
    const open = async () => {
      const store = await openPouchStore(join(dir.dir, 'db'), 'channel-wechat');
      return {
        store,
        ch: new WechatChannel('wechat', store, {
          crypto,
          bus: new EventBus(),
          apiBaseUrl: 'http://127.0.0.1:9',
          retryMs: 20,
        }),
      };
    };
    const first = await open();
    await first.ch.configure(CREDS, { userId: 'u1' });
    for (const id of ['1', '2']) {
      const { q, body } = signed(msg(id));
      assert.deepEqual(await first.ch.receive(q, body), { accepted: true });
    }
    // No worker was started: the process "dies" with two acknowledged messages in the inbox.
    await first.ch.close();
    await first.store.close();

    const second = await open();
    const got: InboundMessage[] = [];
    let failures = 1;
    second.ch.start(async (m) => {
      if (failures-- > 0) throw new Error('conversations briefly unavailable');
      got.push(m);
    });
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.map((m) => m.text).sort(), ['hi 1', 'hi 2']);
    const { q, body } = signed(msg('1'));
    assert.deepEqual(
      await second.ch.receive(q, body),
      { accepted: false },
      'a retry after restart is still a duplicate',
    );
    assert.deepEqual(await second.store.list({ prefix: 'q:' }), [], 'the inbox is empty');
    await second.ch.close();
    await second.store.close();
  } finally {
    crypto.close();
    await dir.cleanup();
  }
});
