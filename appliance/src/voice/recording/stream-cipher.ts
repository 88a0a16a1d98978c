import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StreamSodium } from './sodium.ts';

/**
 * The chunked authenticated cipher under a recording stream, by crypto suite:
 * classic is libsodium's XChaCha20-Poly1305 secretstream; gm is SM4-CTR with an
 * HMAC-SM3 tag per chunk (encrypt-then-MAC). Node's own crypto only: the media
 * worker loads this and must not load storage (PouchDB, LevelDB).
 */
export type StreamSuite = 'classic' | 'gm';

export interface StreamPush {
  /** Stream header written once after the file prefix. */
  header: Uint8Array;
  /** One sealed chunk; `ad` (the file prefix) is bound into the first one. */
  push(plain: Uint8Array, ad: Uint8Array | null, final: boolean): Uint8Array;
}

/** Opens chunks in order; false when a chunk fails authentication. */
export type StreamPull = (
  sealed: Uint8Array,
  ad: Uint8Array | null,
) => { message: Uint8Array; final: boolean } | false;

export interface StreamCipher {
  headerBytes: number;
  initPush(key: Uint8Array): StreamPush;
  initPull(header: Uint8Array, key: Uint8Array): StreamPull;
}

export function sodiumStreamCipher(s: StreamSodium): StreamCipher {
  return {
    headerBytes: s.crypto_secretstream_xchacha20poly1305_HEADERBYTES,
    initPush(key) {
      const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(key);
      const final = s.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
      const message = s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      return {
        header,
        push: (plain, ad, isFinal) =>
          s.crypto_secretstream_xchacha20poly1305_push(state, plain, ad, isFinal ? final : message),
      };
    },
    initPull(header, key) {
      const state = s.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
      return (sealed, ad) => {
        const r = s.crypto_secretstream_xchacha20poly1305_pull(state, sealed, ad);
        return r
          ? { message: r.message, final: r.tag === s.crypto_secretstream_xchacha20poly1305_TAG_FINAL }
          : false;
      };
    },
  };
}

const NONCE_BYTES = 8;
const TAG_BYTES = 32;

/**
 * SM4-CTR + HMAC-SM3 chunks. Keys: SM4 key and MAC key derived from the
 * stream's 32-byte key by HMAC-SM3. Chunk i is SM4-CTR from the counter block
 * nonce(8) ‖ u32(i) ‖ u32(0), so no two chunks share keystream; its tag is
 * HMAC-SM3(nonce ‖ u32(i) ‖ final ‖ u32(len(ad)) ‖ ad ‖ ciphertext): a chunk
 * moved, dropped, replayed or marked final elsewhere fails, as does the header.
 */
export const gmStreamCipher: StreamCipher = {
  headerBytes: NONCE_BYTES,
  initPush(key) {
    const { enc, mac } = split(key);
    const nonce = randomBytes(NONCE_BYTES);
    let i = 0;
    return {
      header: nonce,
      push(plain, ad, final) {
        const ct = ctr(enc, nonce, i, plain);
        const tag = chunkTag(mac, nonce, i++, final, ad, ct);
        return Buffer.concat([ct, tag]);
      },
    };
  },
  initPull(header, key) {
    const { enc, mac } = split(key);
    const nonce = Buffer.from(header);
    let i = 0;
    return (sealed, ad) => {
      if (sealed.length < TAG_BYTES) return false;
      const ct = sealed.subarray(0, sealed.length - TAG_BYTES);
      const tag = sealed.subarray(sealed.length - TAG_BYTES);
      for (const final of [false, true]) {
        if (timingSafeEqual(chunkTag(mac, nonce, i, final, ad, ct), tag)) {
          return { message: ctr(enc, nonce, i++, ct), final };
        }
      }
      return false;
    };
  },
};

function split(key: Uint8Array): { enc: Buffer; mac: Buffer } {
  return {
    enc: createHmac('sm3', key).update('branchline-gm-rec-enc').digest().subarray(0, 16),
    mac: createHmac('sm3', key).update('branchline-gm-rec-mac').digest(),
  };
}

function ctr(enc: Buffer, nonce: Buffer, index: number, data: Uint8Array): Buffer {
  const iv = Buffer.alloc(16);
  nonce.copy(iv, 0);
  iv.writeUInt32BE(index >>> 0, NONCE_BYTES);
  const c = createCipheriv('sm4-ctr', enc, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

function chunkTag(
  mac: Buffer,
  nonce: Buffer,
  index: number,
  final: boolean,
  ad: Uint8Array | null,
  ct: Uint8Array,
): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt32BE(index >>> 0, 0);
  head.writeUInt8(final ? 1 : 0, 4);
  head.writeUInt32BE(ad?.length ?? 0, 5);
  const h = createHmac('sm3', mac).update(nonce).update(head);
  if (ad) h.update(ad);
  return h.update(ct).digest();
}
