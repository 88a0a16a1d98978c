import { randomBytes } from 'node:crypto';
import type { Sodium } from './sodium.ts';

export const KEY_BYTES = 32;
const NONCE_BYTES = 24;

/**
 * XChaCha20-Poly1305-IETF with a random 192-bit nonce prepended. Nonces come
 * from node:crypto: libsodium's wasm randombytes is far slower.
 */
export function seal(sodium: Sodium, key: Uint8Array, plain: Uint8Array, aad: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, Buffer.from(aad), null, nonce, key);
  return Buffer.concat([nonce, ct]);
}

/** Returns the plaintext, or `undefined` when the key, data or associated data do not match. */
export function open(
  sodium: Sodium,
  key: Uint8Array,
  sealed: Uint8Array,
  aad: string,
): Uint8Array | undefined {
  if (sealed.length < NONCE_BYTES + 16) return undefined;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.subarray(NONCE_BYTES),
      Buffer.from(aad),
      sealed.subarray(0, NONCE_BYTES),
      key,
    );
  } catch {
    return undefined;
  }
}
