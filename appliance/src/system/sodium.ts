import { createRequire } from 'node:module';

/** The slice of libsodium this context uses; typed here because the package ships no usable types. */
export interface SecretStreamSodium {
  ready: Promise<void>;
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

// The package's ESM build imports a file it does not ship, so it is loaded through require.
const require = createRequire(import.meta.url);
let loaded: Promise<SecretStreamSodium> | undefined;

export function loadSodium(): Promise<SecretStreamSodium> {
  loaded ??= (async () => {
    const sodium = require('libsodium-wrappers-sumo') as SecretStreamSodium;
    await sodium.ready;
    return sodium;
  })();
  return loaded;
}
