import { createRequire } from 'node:module';

/** The slice of libsodium-wrappers-sumo used here (the package ships no types). */
export interface Sodium {
  ready: Promise<void>;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    message: Uint8Array,
    aad: Uint8Array | null,
    secretNonce: null,
    nonce: Uint8Array,
    key: Uint8Array,
  ): Uint8Array;
  crypto_aead_xchacha20poly1305_ietf_decrypt(
    secretNonce: null,
    ciphertext: Uint8Array,
    aad: Uint8Array | null,
    nonce: Uint8Array,
    key: Uint8Array,
  ): Uint8Array;
  crypto_kdf_derive_from_key(length: number, subkeyId: number, context: string, key: Uint8Array): Uint8Array;
  crypto_generichash(length: number, message: Uint8Array | string, key: Uint8Array): Uint8Array;
  crypto_auth_hmacsha256(message: Uint8Array | string, key: Uint8Array): Uint8Array;
  memzero(bytes: Uint8Array): void;
}

const lib = createRequire(import.meta.url)('libsodium-wrappers-sumo') as Sodium;
let ready: Promise<Sodium> | undefined;

/** libsodium after its wasm has loaded; awaited once per process. */
export function loadSodium(): Promise<Sodium> {
  ready ??= lib.ready.then(() => lib);
  return ready;
}
