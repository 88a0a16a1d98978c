import { createCipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The national (国密) field cipher: SM4-CTR (GB/T 32907-2016) with HMAC-SM3
 * (GB/T 32905-2016), encrypt-then-MAC. Node 20's OpenSSL 3.0 has sm4-ctr but
 * no sm4-gcm, hence the generic composition. From one 32-byte data key two
 * independent keys are derived by HMAC-SM3 (a 128-bit SM4 key and a 256-bit
 * MAC key), so the key ring stays suite-agnostic. The tag covers
 * len(aad) ‖ aad ‖ iv ‖ ciphertext, so the field's place cannot be swapped.
 * Sealed form: iv(16) ‖ ciphertext ‖ tag(32).
 */
const IV_BYTES = 16;
const TAG_BYTES = 32;

export function sm3(data: string | Uint8Array): Buffer {
  return createHash('sm3').update(data).digest();
}

export function hmacSm3(key: Uint8Array, ...parts: Array<string | Uint8Array>): Buffer {
  const mac = createHmac('sm3', key);
  for (const p of parts) mac.update(p);
  return mac.digest();
}

interface SplitKeys {
  enc: Buffer;
  mac: Buffer;
}

// Derived keys per data key object; the data keys themselves are long-lived in the key ring.
const derived = new WeakMap<Uint8Array, SplitKeys>();

function split(key: Uint8Array): SplitKeys {
  let keys = derived.get(key);
  if (!keys) {
    keys = {
      enc: hmacSm3(key, 'branchline-gm-enc').subarray(0, 16),
      mac: hmacSm3(key, 'branchline-gm-mac'),
    };
    derived.set(key, keys);
  }
  return keys;
}

/** Zeroes and forgets the keys derived from `key` (the key ring calls it when it wipes or shreds `key`). */
export function wipeDerived(key: Uint8Array): void {
  const keys = derived.get(key);
  if (!keys) return;
  keys.enc.fill(0);
  keys.mac.fill(0);
  derived.delete(key);
}

function tag(mac: Buffer, aad: Buffer, iv: Uint8Array, ct: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(aad.length));
  return hmacSm3(mac, len, aad, iv, ct);
}

/** SM4-CTR under `key` (16 bytes) from counter block `iv`; CTR is its own inverse. */
export function sm4Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  const c = createCipheriv('sm4-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

export function gmSeal(key: Uint8Array, plain: Uint8Array, aad: string): Uint8Array {
  const { enc, mac } = split(key);
  const iv = randomBytes(IV_BYTES);
  const ct = sm4Ctr(enc, iv, plain);
  return Buffer.concat([iv, ct, tag(mac, Buffer.from(aad), iv, ct)]);
}

/** The plaintext, or `undefined` when the tag does not verify (checked before anything is decrypted). */
export function gmOpen(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const { enc, mac } = split(key);
  const iv = sealed.subarray(0, IV_BYTES);
  const ct = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const want = tag(mac, Buffer.from(aad), iv, ct);
  if (!timingSafeEqual(want, sealed.subarray(sealed.length - TAG_BYTES))) return undefined;
  return sm4Ctr(enc, iv, ct);
}
