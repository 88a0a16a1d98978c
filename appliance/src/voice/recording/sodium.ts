import { createRequire } from 'node:module';

// A second loader beside storage's `loadSodium` on purpose: the media worker (a child
// process) imports this, and going through storage/index.ts would load PouchDB and
// LevelDB into a process that only encrypts audio frames.

/** The secretstream slice of libsodium (the package ships no usable types; its ESM build is broken). */
export interface StreamSodium {
  ready: Promise<void>;
  crypto_secretstream_xchacha20poly1305_TAG_MESSAGE: number;
  crypto_secretstream_xchacha20poly1305_TAG_FINAL: number;
  crypto_secretstream_xchacha20poly1305_HEADERBYTES: number;
  crypto_secretstream_xchacha20poly1305_init_push(key: Uint8Array): { state: unknown; header: Uint8Array };
  crypto_secretstream_xchacha20poly1305_push(
    state: unknown,
    message: Uint8Array,
    ad: Uint8Array | null,
    tag: number,
  ): Uint8Array;
  crypto_secretstream_xchacha20poly1305_init_pull(header: Uint8Array, key: Uint8Array): unknown;
  crypto_secretstream_xchacha20poly1305_pull(
    state: unknown,
    ciphertext: Uint8Array,
    ad: Uint8Array | null,
  ): { message: Uint8Array; tag: number } | false;
}

const require = createRequire(import.meta.url);
let loaded: Promise<StreamSodium> | undefined;

export function loadStreamSodium(): Promise<StreamSodium> {
  loaded ??= (async () => {
    const s = require('libsodium-wrappers-sumo') as StreamSodium;
    await s.ready;
    return s;
  })();
  return loaded;
}
