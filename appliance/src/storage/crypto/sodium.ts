import { createRequire } from 'node:module';

/** Field encryption, key derivation and hashing (storage's key ring and blind indexes). */
export interface SodiumAead {
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

/** Ed25519 detached signatures (the audit chain). */
export interface SodiumSign {
  crypto_sign_keypair(): { publicKey: Uint8Array; privateKey: Uint8Array };
  crypto_sign_detached(message: Uint8Array, privateKey: Uint8Array): Uint8Array;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** Chunked authenticated streams (encrypted backup archives). */
export interface SodiumSecretStream {
  crypto_secretstream_xchacha20poly1305_KEYBYTES: number;
  crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
  crypto_secretstream_xchacha20poly1305_ABYTES: number;
  crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number;
  crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
  crypto_secretstream_xchacha20poly1305_init_push(key: Uint8Array): {
    state: unknown;
    header: Uint8Array;
  };
  crypto_secretstream_xchacha20poly1305_push(
    state: unknown,
    message: Uint8Array,
    ad: Uint8Array | null,
    tag: number,
  ): Uint8Array;
  crypto_secretstream_xchacha20poly1305_init_pull(header: Uint8Array, key: Uint8Array): unknown;
  /** Returns `false` (not a throw) when authentication fails. */
  crypto_secretstream_xchacha20poly1305_pull(
    state: unknown,
    ciphertext: Uint8Array,
    ad: Uint8Array | null,
  ): { message: Uint8Array; tag: number } | false;
}

/** The slice of libsodium-wrappers-sumo the appliance uses (the package ships no usable types). */
export interface Sodium extends SodiumAead, SodiumSign, SodiumSecretStream {
  ready: Promise<void>;
}

// The package's ESM build imports a file it does not ship, so it is loaded through require.
const lib = createRequire(import.meta.url)('libsodium-wrappers-sumo') as Sodium;
let ready: Promise<Sodium> | undefined;

/** libsodium after its wasm has loaded; awaited once per process. */
export function loadSodium(): Promise<Sodium> {
  ready ??= lib.ready.then(() => lib);
  return ready;
}
