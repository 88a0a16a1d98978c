import { aesKeyFrom, signatureMatches, wechatDecrypt } from './crypto.ts';
import { WechatError } from './errors.ts';
import { assertSafeXml, extractEncrypt } from './xml.ts';

/** Query parameters the platform adds to every callback request. */
export interface CallbackQuery {
  signature?: string | undefined;
  msg_signature?: string | undefined;
  timestamp?: string | undefined;
  nonce?: string | undefined;
  echostr?: string | undefined;
}

export interface VerifyKeys {
  token: string;
  encodingAesKey: string;
  receiverId: string;
}

/** Seconds a callback's timestamp may differ from our clock. */
export const TIMESTAMP_WINDOW_S = 300;

function badSignature(): WechatError {
  return new WechatError('WECHAT_BAD_SIGNATURE', 'Signature does not match', { status: 401 });
}

function checkTimestamp(timestamp: string | undefined, nowMs: number): string {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw badSignature();
  if (Math.abs(Number(timestamp) - nowMs / 1000) > TIMESTAMP_WINDOW_S) {
    throw new WechatError('WECHAT_STALE_TIMESTAMP', 'Callback timestamp is outside the accepted window', {
      status: 401,
    });
  }
  return timestamp;
}

/**
 * URL verification (GET). OA: `signature` over [token, timestamp, nonce] and the
 * echostr echoed back. WeCom: `msg_signature` over [token, timestamp, nonce,
 * echostr] and the decrypted echostr returned.
 */
export function verifyUrl(
  flavour: 'wechat' | 'wecom',
  q: CallbackQuery,
  keys: VerifyKeys,
  nowMs: number,
): string {
  const ts = checkTimestamp(q.timestamp, nowMs);
  const nonce = q.nonce ?? '';
  const echostr = q.echostr;
  if (echostr === undefined || echostr.length > 4096) throw badSignature();
  if (flavour === 'wechat') {
    if (!signatureMatches(q.signature ?? '', [keys.token, ts, nonce])) throw badSignature();
    return echostr;
  }
  if (!signatureMatches(q.msg_signature ?? '', [keys.token, ts, nonce, echostr])) throw badSignature();
  return wechatDecrypt(aesKeyFrom(keys.encodingAesKey), echostr, keys.receiverId);
}

/**
 * A message callback (POST) in safe mode: cheap checks on the raw body, then
 * the signature over the `<Encrypt>` value, and only then decryption. Returns
 * the decrypted message XML (not yet parsed).
 */
export function openCallback(
  flavour: 'wechat' | 'wecom',
  q: CallbackQuery,
  body: string,
  options: { keys: VerifyKeys; nowMs: number },
): string {
  const { keys } = options;
  const ts = checkTimestamp(q.timestamp, options.nowMs);
  const nonce = q.nonce ?? '';
  // OA also sends the plain `signature`; checking it first refuses forgeries before looking at the body.
  if (flavour === 'wechat' && !signatureMatches(q.signature ?? '', [keys.token, ts, nonce]))
    throw badSignature();
  assertSafeXml(body);
  const encrypt = extractEncrypt(body);
  if (encrypt === undefined) {
    throw new WechatError('WECHAT_BAD_XML', 'Safe mode required: the callback has no <Encrypt> element');
  }
  if (!signatureMatches(q.msg_signature ?? '', [keys.token, ts, nonce, encrypt])) throw badSignature();
  const xml = wechatDecrypt(aesKeyFrom(keys.encodingAesKey), encrypt, keys.receiverId);
  assertSafeXml(xml);
  return xml;
}
