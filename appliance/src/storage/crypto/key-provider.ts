import { StorageError } from '../errors.ts';
import type { KeyRing } from './keyring.ts';

/**
 * Names a key inside a provider, as a PKCS#11 object label would: a data key
 * id (`pii`, `cust:42`, `recording`), `kek` for the current key-encryption
 * key, or a signing key registered with the provider (`audit`).
 */
export type KeyHandle = string;

/**
 * Where keys live and where the operations that need the raw key happen —
 * shaped after PKCS#11 (C_GetAttributeValue / C_WrapKey / C_UnwrapKey /
 * C_Sign by object handle) so an HSM or a PCI crypto card (e.g. a GM/T 0018
 * SDF card for the gm suite) can replace the file key ring without touching
 * the callers. The file key ring is the first and only implementation:
 * certified hardware key storage is outside this appliance today (see
 * docs/crypto-suites.md). A hardware provider would keep keys
 * non-extractable, so `getKey` is the one call it may refuse (then the field
 * cipher must move into the provider as encrypt/decrypt by handle).
 */
export interface KeyProvider {
  readonly kind: 'file' | 'pkcs11';
  /** The key's bytes, created on first use for a data key. */
  getKey(handle: KeyHandle): Promise<Uint8Array>;
  /** `key` wrapped under the key-encryption key `kekHandle`, bound to `handle`. */
  wrap(kekHandle: KeyHandle, handle: KeyHandle, key: Uint8Array): Promise<string>;
  /** The key `wrap` wrapped; STORAGE_DECRYPT_FAILED when it was wrapped for another handle or key. */
  unwrap(kekHandle: KeyHandle, handle: KeyHandle, wrapped: string): Promise<Uint8Array>;
  /** A detached signature (base64) by the signing key `handle`. */
  sign(handle: KeyHandle, data: Uint8Array): Promise<string>;
}

/** A signing key the file provider holds (the audit log's Ed25519 key satisfies it). */
export interface FileSigner {
  sign(message: Uint8Array): string;
}

/** The file key ring (`<dataDir>/keys`) as a KeyProvider. */
export class FileKeyProvider implements KeyProvider {
  readonly kind = 'file' as const;
  readonly #ring: KeyRing;
  readonly #signers: ReadonlyMap<KeyHandle, FileSigner>;

  constructor(ring: KeyRing, options: { signers?: Record<KeyHandle, FileSigner> } = {}) {
    this.#ring = ring;
    this.#signers = new Map(Object.entries(options.signers ?? {}));
  }

  getKey(handle: KeyHandle): Promise<Uint8Array> {
    return this.#ring.ensure(handle);
  }

  async wrap(kekHandle: KeyHandle, handle: KeyHandle, key: Uint8Array): Promise<string> {
    assertKek(kekHandle);
    const { kek, wrapped } = this.#ring.wrapKey(handle, key);
    return `${kek}:${wrapped}`;
  }

  async unwrap(kekHandle: KeyHandle, handle: KeyHandle, wrapped: string): Promise<Uint8Array> {
    assertKek(kekHandle);
    const cut = wrapped.indexOf(':');
    const version = Number(wrapped.slice(0, cut));
    if (cut <= 0 || !Number.isInteger(version)) {
      throw new StorageError('STORAGE_DECRYPT_FAILED', `Not a wrapped key [handle:${handle}]`);
    }
    return this.#ring.unwrapKey(handle, version, wrapped.slice(cut + 1));
  }

  async sign(handle: KeyHandle, data: Uint8Array): Promise<string> {
    const signer = this.#signers.get(handle);
    if (!signer) throw new TypeError(`No signing key with handle ${JSON.stringify(handle)}`);
    return signer.sign(data);
  }
}

function assertKek(handle: KeyHandle): void {
  if (handle !== 'kek')
    throw new TypeError(`The file key ring wraps only under "kek", not ${JSON.stringify(handle)}`);
}
