import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BadInputError } from '../../contracts/index.ts';
import { decodeUtf8 } from '../../http/index.ts';
import { WechatError } from './errors.ts';

/**
 * The WeChat "safe mode" message crypto (WXBizMsgCrypt), shared by the
 * Official Account and WeCom: implemented from the published algorithm.
 * - signature = hex SHA-1 of the lexicographically sorted [token, timestamp, nonce, encrypt?] joined;
 * - key = base64(EncodingAESKey + '='), 32 bytes; IV = first 16 bytes of the key;
 * - AES-256-CBC, PKCS#7 padded to 32-byte blocks (not AES's 16);
 * - plaintext = 16 random bytes ‖ uint32 BE length ‖ msg ‖ receiver id (appid or corpid).
 */

const BLOCK = 32;

/** Hex SHA-1 of the sorted parts concatenated, as the platform computes it. */
export function wechatSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(received: string, parts: readonly string[]): boolean {
  const expected = Buffer.from(wechatSignature(parts), 'utf8');
  const got = Buffer.from(received.toLowerCase(), 'utf8');
  // Lengths differ only for garbage input; compare against itself to keep timing flat.
  if (got.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(got, expected);
}

/** Decodes the 43-character EncodingAESKey into the 32-byte AES key. */
export function aesKeyFrom(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new BadInputError('WECHAT_INVALID_CONFIG', 'EncodingAESKey must be 43 characters of [A-Za-z0-9]');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32)
    throw new BadInputError('WECHAT_INVALID_CONFIG', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** Counts calls so tests can prove a rejected request never reached decryption. */
export const cryptoCounters = { decrypt: 0 };

export interface EncryptOptions {
  /** Fixed 16-byte prefix for known-answer tests; random otherwise. */
  random?: Uint8Array;
}

/** Encrypts `msg` for `receiverId`; returns base64 as it goes in `<Encrypt>`. */
export function wechatEncrypt(
  key: Buffer,
  msg: string,
  receiverId: string,
  options: EncryptOptions = {},
): string {
  const random = options.random ? Buffer.from(options.random) : randomBytes(16);
  if (random.length !== 16) throw new RangeError('random prefix must be 16 bytes');
  const body = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, len, body, Buffer.from(receiverId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/**
 * Decrypts an `<Encrypt>` value and checks the receiver id. Every malformed
 * input is a WECHAT_DECRYPT_FAILED; a foreign receiver id is WECHAT_RECEIVER_MISMATCH.
 */
export function wechatDecrypt(key: Buffer, encrypted: string, receiverId: string): string {
  cryptoCounters.decrypt++;
  const fail = (why: string) => new WechatError('WECHAT_DECRYPT_FAILED', `Cannot decrypt message: ${why}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw fail('not base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw fail('length is not a whole number of blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (err) {
    throw new WechatError('WECHAT_DECRYPT_FAILED', 'Cannot decrypt message: cipher error', { cause: err });
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw fail('bad padding');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw fail('bad padding');
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw fail('too short');
  const len = content.readUInt32BE(16);
  if (20 + len > content.length) throw fail('length field exceeds payload');
  // Strict: a lossy decode would ingest U+FFFD where the customer's text had bytes we cannot read.
  const msg = decodeUtf8(content.subarray(20, 20 + len), 'Encrypt');
  const from = content.subarray(20 + len).toString('utf8');
  if (from !== receiverId) {
    throw new WechatError('WECHAT_RECEIVER_MISMATCH', 'Message is addressed to another receiver id', {
      status: 403,
    });
  }
  return msg;
}
