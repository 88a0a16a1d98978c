/**
 * Two identical signed WeChat callbacks at the same moment (a platform retry
 * while the first delivery is in flight, or a replayed callback) against a real
 * appliance process: one message is stored and the process keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { aesKeyFrom, wechatEncrypt, wechatSignature } from '../appliance/src/channels/wechat/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until, untilTrue } from './support/until.ts';

const OA = {
  receiverId: 'wxparallel01',
  secret: 'oa-secret-parallel',
  token: 'oatoken9',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** One safe-mode (encrypted) OA text callback, signed as the platform signs it. */
function callback(base: string, from: string, msgId: string, text: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = `n${msgId}`;
  const inner = `<xml><ToUserName><![CDATA[gh_branch]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`;
  const enc = wechatEncrypt(aesKeyFrom(OA.encodingAesKey), inner, OA.receiverId);
  const q = new URLSearchParams({
    timestamp: ts,
    nonce,
    signature: wechatSignature([OA.token, ts, nonce]),
    encrypt_type: 'aes',
    msg_signature: wechatSignature([OA.token, ts, nonce, enc]),
  });
  const body = `<xml><ToUserName><![CDATA[gh_branch]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
  return () =>
    fetch(`${base}/api/channels/wechat/callback?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    });
}

interface Contact {
  id: string;
  channel: string;
}
interface Message {
  direction?: string;
  text?: string;
}

async function wechatMessages(admin: ApiClient): Promise<Message[] | undefined> {
  const r = await orExit(admin.request('GET', '/api/contacts?scope=all'));
  const contact = (r.json['contacts'] as Contact[] | undefined)?.find((c) => c.channel === 'wechat');
  if (!contact) return undefined;
  const m = await orExit(admin.request('GET', `/api/contacts/${contact.id}`));
  return m.json['messages'] as Message[];
}

let app: RunningAppliance;
let admin: ApiClient;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-wechat-parallel-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
  const cfg = await admin.request('PUT', '/api/channels/wechat/config', OA);
  assert.equal(cfg.status, 200, JSON.stringify(cfg.json));
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

const alive = () =>
  assert.equal(app.proc.exitCode, null, `the appliance exited: ${app.stderr().slice(-2000)}`);

/** A refused request most likely means the appliance died: say so, with its last words. */
async function orExit<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    await untilTrue('the appliance to exit', () => app.proc.exitCode !== null, { timeoutMs: 5_000 }).catch(
      () => undefined,
    );
    alive();
    throw err;
  }
}

test('identical WeChat callbacks sent in parallel store one message each and the appliance keeps serving', async () => {
  // Each message is delivered twice at the same moment while the inbox worker is idle (a platform retry
  // of a slow first delivery). Whether the two copies race inside the appliance depends on timing, so
  // ten such pairs are sent one after the other; before the fix this ended the process.
  const texts = ['你好，我的卡丢了 💳', '卡号是多少？', 'second try 🙂', '请回电', 'thanks'].flatMap((t) => [
    `${t} 1`,
    `${t} 2`,
  ]);
  for (const [i, text] of texts.entries()) {
    const send = callback(app.base, 'oParallelUser', `81000000${10 + i}`, text);
    const answers = await orExit(Promise.all([send(), send()]));
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200],
    );
    assert.deepEqual(await Promise.all(answers.map((r) => r.text())), ['success', 'success']);
    await until(
      `message ${i} in the inbox`,
      async () => {
        alive();
        return (await wechatMessages(admin))?.some((m) => m.text === text) || undefined;
      },
      { timeoutMs: 20_000 },
    );
  }
  // The crash came about a second after the 200s; keep asking for several seconds.
  const watchUntil = Date.now() + 5_000;
  await untilTrue(
    'five seconds of serving',
    async () => {
      alive();
      const h = await orExit(fetch(`${app.base}/healthz`));
      assert.equal(h.status, 200);
      return Date.now() > watchUntil;
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  const inbound = ((await wechatMessages(admin)) ?? [])
    .filter((m) => m.direction === 'in')
    .map((m) => m.text);
  assert.deepEqual(inbound.sort(), [...texts].sort(), 'each message is stored exactly once');
});
