// WeChat OA and WeCom callbacks as the platform sends them (safe mode, signed
// and encrypted), each delivered twice — once in parallel, once late — and a
// conversation's messages in shuffled order. Acknowledged = a 200 answer.
import { aesKeyFrom, wechatEncrypt, wechatSignature } from '../../appliance/src/channels/wechat/index.ts';
import { type ChaosContext, retrying, shuffle, sleep } from './context.ts';
import { token } from './ledger.ts';

export type Flavour = 'wechat' | 'wecom';

export const CREDENTIALS: Record<Flavour, Record<string, string>> = {
  wechat: {
    receiverId: 'wxchaos0001',
    secret: 'oa-secret-chaos-1',
    token: 'chaostoken1',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  },
  wecom: {
    receiverId: 'wwchaoscorp01',
    secret: 'wc-secret-chaos-1',
    token: 'chaostoken2',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    agentId: '1000002',
  },
};

let msgSeq = 7_100_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;

/** A signed, encrypted text callback; the returned function posts it (again and again). */
function callback(ctx: ChaosContext, flavour: Flavour, from: string, msgId: string, text: string) {
  const creds = CREDENTIALS[flavour];
  const receiverId = creds['receiverId'] as string;
  const agent = flavour === 'wecom' ? `<AgentID>${creds['agentId']}</AgentID>` : '';
  const inner = `<xml><ToUserName><![CDATA[${receiverId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId>${agent}</xml>`;
  const enc = wechatEncrypt(aesKeyFrom(creds['encodingAesKey'] as string), inner, receiverId);
  const body = `<xml><ToUserName><![CDATA[${receiverId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
  return async (): Promise<number | undefined> => {
    // The platform signs each delivery afresh (its timestamp must be current).
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = `n${msgId}${Math.floor(Math.random() * 1e6)}`;
    const q = new URLSearchParams({
      timestamp: ts,
      nonce,
      signature: wechatSignature([creds['token'] as string, ts, nonce]),
      encrypt_type: 'aes',
      msg_signature: wechatSignature([creds['token'] as string, ts, nonce, enc]),
    });
    try {
      const r = await fetch(`${ctx.app.base}/api/channels/${flavour}/callback?${q}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await r.text();
      return r.status;
    } catch {
      return undefined;
    }
  };
}

/** One customer, `count` messages: shuffled, each sent twice at once, then once more later. */
export async function wechatConversation(ctx: ChaosContext, flavour: Flavour, count = 4): Promise<void> {
  const scenario = `${flavour}-dup-reorder`;
  ctx.ledger.ran(scenario);
  const from = `oChaos${token('u').slice(-10)}`;
  const msgs = Array.from({ length: count }, (_, i) => {
    const t = token(flavour);
    msgSeq++;
    return { t, send: callback(ctx, flavour, from, String(msgSeq), `${t} 你好 message ${i} 💳`) };
  });
  await Promise.all(
    shuffle(msgs).map(async (m, i) => {
      await sleep(i * 30);
      const acked = await retrying(ctx, async () => {
        const answers = await Promise.all([m.send(), m.send()]);
        if (answers.some((s) => s !== undefined && s >= 400 && s < 500)) {
          ctx.ledger.problem(scenario, `callback refused: ${answers.join(',')}`);
          return false;
        }
        return answers.some((s) => s === 200);
      });
      ctx.ledger.ack({
        kind: 'message',
        key: m.t,
        channel: flavour,
        scenario,
        ...(acked ? {} : { optional: true }),
      });
      if (!acked) return;
      // A late platform retry of a message already acknowledged.
      await sleep(200 + Math.random() * 800);
      await m.send();
    }),
  );
}

/** Forged and malformed callbacks: each must get a 4xx (never a crash, never stored). */
export async function wechatForgeries(ctx: ChaosContext): Promise<void> {
  const scenario = 'wechat-forged';
  ctx.ledger.ran(scenario);
  const url = `${ctx.app.base}/api/channels/wechat/callback`;
  const tries: Array<[string, RequestInit]> = [
    [`${url}?timestamp=1&nonce=1&signature=bad&msg_signature=bad`, { method: 'POST', body: '<xml></xml>' }],
    [
      `${url}?timestamp=${Math.floor(Date.now() / 1000)}&nonce=1&signature=x&msg_signature=y`,
      { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><Encrypt>%%%</Encrypt>' },
    ],
    [url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: 'x'.repeat(300_000) }],
  ];
  for (const [u, init] of tries) {
    try {
      const r = await fetch(u, { ...init, signal: AbortSignal.timeout(10_000) });
      await r.text();
      if (r.status < 400 || r.status >= 500)
        ctx.ledger.problem(scenario, `forged callback answered ${r.status}`);
    } catch {
      // the appliance was down (a kill): nothing to judge
    }
  }
}
