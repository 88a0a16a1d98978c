import { createHash } from 'node:crypto';
import type { Handle, InboundMessage } from '../../conversations/index.ts';
import { WechatError } from './errors.ts';
import type { Flavour } from './types.ts';

/**
 * The platform retries a callback up to three times with the same content.
 * Messages carry MsgId; events do not, so FromUserName + CreateTime (+ Event) stand in.
 */
export function dedupeKey(flavour: Flavour, f: Record<string, string>): string {
  const raw = f['MsgId']
    ? `${flavour}:msg:${f['MsgId']}`
    : `${flavour}:ev:${f['FromUserName'] ?? ''}:${f['CreateTime'] ?? ''}:${f['Event'] ?? ''}:${f['EventKey'] ?? ''}${
        // kf doorbells have no sender: their one-use Token tells two in the same second apart.
        f['Token'] ? `:${f['Token']}` : ''
      }`;
  // Hashed so openids do not appear in document ids.
  return createHash('sha256').update(raw).digest('hex');
}

function describe(f: Record<string, string>): { text: string; meta: Record<string, string> } {
  const type = f['MsgType'] ?? 'unknown';
  const meta: Record<string, string> = { msgType: type };
  const keep = (...names: string[]) => {
    for (const n of names)
      if (f[n] !== undefined) meta[n.charAt(0).toLowerCase() + n.slice(1)] = f[n] as string;
  };
  switch (type) {
    case 'text':
      return { text: f['Content'] ?? '', meta };
    case 'image':
      keep('PicUrl', 'MediaId');
      return { text: '[image]', meta };
    case 'voice':
      keep('MediaId', 'Format', 'Recognition');
      return { text: f['Recognition'] ? f['Recognition'] : '[voice]', meta };
    case 'location':
      keep('Location_X', 'Location_Y', 'Scale', 'Label');
      return {
        text: `[location] ${f['Label'] ?? ''} (${f['Location_X'] ?? '?'}, ${f['Location_Y'] ?? '?'})`,
        meta,
      };
    case 'event': {
      keep('Event', 'EventKey');
      const ev = (f['Event'] ?? '').toLowerCase();
      if (ev === 'click') return { text: `[menu] ${f['EventKey'] ?? ''}`, meta };
      return { text: `[event] ${ev}`, meta };
    }
    default:
      keep('MediaId');
      return { text: `[${type}]`, meta };
  }
}

/** Maps a decrypted callback to what the conversations service ingests. */
export function toInbound(flavour: Flavour, f: Record<string, string>, receivedAt: Date): InboundMessage {
  const from = f['FromUserName'];
  if (!from) throw new WechatError('WECHAT_BAD_XML', 'Message has no FromUserName');
  const handles: Handle[] =
    flavour === 'wechat'
      ? [{ kind: 'wechat_openid', value: from }]
      : [{ kind: 'wecom_external', value: from }];
  if (f['UnionId']) handles.push({ kind: 'wechat_unionid', value: f['UnionId'] });
  const { text, meta } = describe(f);
  const createdS = Number(f['CreateTime']);
  return {
    channel: flavour,
    handles,
    externalId: f['MsgId'] ? `${flavour}:${f['MsgId']}` : `${flavour}:ev:${dedupeKey(flavour, f)}`,
    threadKey: `${flavour}:${from}`,
    text,
    receivedAt: Number.isFinite(createdS) && createdS > 0 ? new Date(createdS * 1000) : receivedAt,
    meta,
  };
}
