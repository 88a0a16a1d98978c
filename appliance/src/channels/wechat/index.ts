/**
 * WeChat Official Account channel, and the machinery WeCom shares with it:
 * the published WXBizMsgCrypt algorithm (signature, AES-256-CBC), hardened XML
 * parsing, a durable callback inbox, and the customer-service API client.
 * Production talks to Tencent's servers; every test fakes them locally.
 * @example
 * import { wechatModule } from './channels/wechat/index.ts';
 * export const MODULES = [conversationsModule, wechatModule];
 */

export type { ApiClientOptions } from './api.ts';
/**
 * Customer-service message client with access-token caching and refresh.
 * @example
 * const api = new WechatApiClient('wechat', { baseUrl, credentials: async () => creds });
 * await api.sendText(openid, 'Hello');
 */
export { WechatApiClient } from './api.ts';
export type { MaskedCredentials, WechatChannelOptions } from './channel.ts';
/**
 * One channel: credentials, callbacks → durable inbox → ingest, and the sender.
 * @example
 * const ch = new WechatChannel('wecom', store, { crypto, bus, apiBaseUrl });
 * ch.start((msg) => conversations.ingest(msg));
 */
export { WechatChannel } from './channel.ts';
export type { ConversationsPort } from './conversations-port.ts';
/**
 * `ctx.services.conversations`, or an InvalidStateError naming the missing module.
 * @example
 * const conv = conversationsOf(ctx, 'channels.email');
 */
export { conversationsOf } from './conversations-port.ts';
/**
 * The published algorithm: signatures and AES-256-CBC message crypto.
 * @example
 * const key = aesKeyFrom(encodingAesKey);
 * const enc = wechatEncrypt(key, xml, appid);
 * wechatSignature([token, timestamp, nonce, enc]);
 */
export {
  aesKeyFrom,
  cryptoCounters,
  signatureMatches,
  wechatDecrypt,
  wechatEncrypt,
  wechatSignature,
} from './crypto.ts';
export type { WechatErrorCode } from './errors.ts';
/**
 * @example
 * if (err instanceof WechatError && err.code === 'WECHAT_BAD_SIGNATURE') …
 */
export { WechatError } from './errors.ts';
export type { KfEvent, KfMessage } from './kf.ts';
/**
 * WeCom 微信客服 pull: sync_msg paged from a durable cursor, one message per msgid.
 * @example
 * await channel.kf.pull({ openKfId, token, receivedAt }, { ingest, attempt: 0, now: Date.now() });
 * kfToInbound({ msgid: 'm1', origin: 3, external_userid: 'wm1', msgtype: 'text', text: { content: 'hi' } }, new Date());
 */
export { KfPuller, kfToInbound } from './kf.ts';
export type { MediaPolicy } from './media.ts';
/**
 * Image/voice bytes through `media/get` as an encrypted attachment, or the marker.
 * @example
 * const msg2 = await withMedia(msg, channel.api, { attempt: 0, policy: DEFAULT_MEDIA_POLICY });
 * msg2.text.endsWith(MEDIA_UNAVAILABLE); // when the platform refused the file
 */
export { DEFAULT_MEDIA_POLICY, MEDIA_UNAVAILABLE, withMedia } from './media.ts';
/**
 * Module factory for the WeChat family, and the OA module.
 * @example
 * export const wecomModule = wechatFamilyModule('wecom');
 */
export { wechatFamilyModule, wechatModule } from './module.ts';
export type { Flavour, WechatCredentials } from './types.ts';
/**
 * Hardened XML parsing of callbacks (no DTDs, no entities, size-limited).
 * @example
 * const fields = parseWechatXml(xml); // { MsgType: 'text', Content: 'hi', … }
 */
export { parseWechatXml, xmlCounters } from './xml.ts';
