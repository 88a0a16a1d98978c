import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { StorageError } from '../errors.ts';
import { KEY_BYTES, open, seal } from './aead.ts';
import {
  b64,
  freshKeyringFile,
  hasLegacyCustomerKeys,
  isCustomer,
  type KeyringFile,
  readKeyringFile,
  unb64,
  unwrapKeks,
  withoutLegacyCustomerKeys,
  writeKeyringFile,
} from './keyring-file.ts';
import type { Sodium } from './sodium.ts';
import type { CryptoSuiteName } from './suite.ts';

/**
 * KeyRing's key-encryption half: `keyring.json` (versioned KEKs wrapped by a
 * subkey of root, class data keys wrapped by the current KEK), the unwrapped
 * KEKs in memory, and the wrapping of data keys under them.
 */
export class KeyringKeks {
  readonly #sodium: Sodium;
  readonly #path: string;
  readonly #wrapKey: Uint8Array;
  #keks = new Map<number, Uint8Array>();
  #state: KeyringFile;
  #created = false;

  constructor(
    sodium: Sodium,
    options: { path: string; wrapKey: Uint8Array; suite?: CryptoSuiteName | undefined },
  ) {
    this.#sodium = sodium;
    this.#path = options.path;
    this.#wrapKey = options.wrapKey;
    this.#state = existsSync(this.#path) ? this.#load() : this.#fresh(options.suite);
  }

  get current(): number {
    return this.#state.currentKek;
  }

  /** True when this start created the file (first run). */
  get fresh(): boolean {
    return this.#created;
  }

  get suite(): CryptoSuiteName {
    return this.#state.suite ?? 'classic';
  }

  get indexSuite(): CryptoSuiteName {
    return this.#state.indexSuite ?? 'classic';
  }

  /** Records the suite new envelopes are sealed with (a migration's first step). */
  setSuite(suite: CryptoSuiteName): void {
    this.#state = { ...this.#state, suite, indexSuite: this.indexSuite };
    this.#persist();
  }

  /** Ids shredded before the key log existed (recorded in keyring.json). */
  get shredded(): readonly string[] {
    return this.#state.shredded;
  }

  /** The data keys stored in the file, unwrapped, without shredded ones. */
  *dataKeys(): Generator<[string, Uint8Array]> {
    const state = this.#state;
    for (const [keyId, { kek, wrapped }] of Object.entries(state.dataKeys)) {
      if (!state.shredded.includes(keyId)) yield [keyId, this.unwrap(keyId, kek, wrapped)];
    }
  }

  /** Stores a class key wrapped under the current KEK. */
  putDataKey(keyId: string, key: Uint8Array): void {
    this.#state.dataKeys[keyId] = this.wrap(keyId, key, this.#state.currentKek);
    this.#persist();
  }

  hasLegacyCustomerKeys(): boolean {
    return hasLegacyCustomerKeys(this.#state);
  }

  dropLegacyCustomerKeys(): void {
    this.#state = withoutLegacyCustomerKeys(this.#state);
    this.#persist();
  }

  /**
   * New KEK version with every class key rewrapped under it; `rewrapLog`
   * rewrites the customer keys, then the old KEKs are dropped.
   */
  async rotate(data: ReadonlyMap<string, Uint8Array>, rewrapLog: () => Promise<void>): Promise<void> {
    const version = this.#state.currentKek + 1;
    const kek = new Uint8Array(randomBytes(KEY_BYTES));
    this.#keks.set(version, kek);
    const dataKeys: KeyringFile['dataKeys'] = {};
    for (const [keyId, key] of data) {
      if (!isCustomer(keyId)) dataKeys[keyId] = this.wrap(keyId, key, version);
    }
    // Old KEKs stay in the file until the log is rewrapped: a crash in between still opens.
    const wrappedKek = b64(seal(this.#sodium, this.#wrapKey, kek, `kek:${version}`));
    const keks: Record<string, string> = { ...this.#state.keks, [version]: wrappedKek };
    this.#state = { ...this.#state, currentKek: version, keks, dataKeys };
    this.#persist();
    await rewrapLog();
    this.#state = { ...this.#state, keks: { [version]: wrappedKek } };
    this.#persist();
    for (const [v, old] of this.#keks) if (v !== version) this.#sodium.memzero(old);
    this.#keks = new Map([[version, kek]]);
  }

  wrap(keyId: string, key: Uint8Array, kek: number): { kek: number; wrapped: string } {
    return { kek, wrapped: b64(seal(this.#sodium, this.#kek(kek), key, `dek:${keyId}:${kek}`)) };
  }

  unwrap(keyId: string, kek: number, wrapped: string): Uint8Array {
    const key = open(this.#sodium, this.#kek(kek), unb64(wrapped), `dek:${keyId}:${kek}`);
    if (!key)
      throw new StorageError('STORAGE_DECRYPT_FAILED', `Keyring does not match the root key [dek:${keyId}]`);
    return key;
  }

  /** Wipes the wrap key and the KEKs from memory. */
  close(): void {
    for (const k of [this.#wrapKey, ...this.#keks.values()]) this.#sodium.memzero(k);
    this.#keks.clear();
  }

  #kek(version: number): Uint8Array {
    const kek = this.#keks.get(version);
    if (!kek) throw new StorageError('STORAGE_DECRYPT_FAILED', `Unknown key-encryption key [kek:${version}]`);
    return kek;
  }

  #fresh(suite: CryptoSuiteName | undefined): KeyringFile {
    const { state, kek } = freshKeyringFile(this.#sodium, this.#wrapKey, suite);
    this.#created = true;
    this.#keks.set(1, kek);
    this.#state = state;
    this.#persist();
    return state;
  }

  #load(): KeyringFile {
    const state = readKeyringFile(this.#path);
    this.#keks = unwrapKeks(this.#sodium, this.#wrapKey, state);
    return state;
  }

  #persist(): void {
    writeKeyringFile(this.#path, this.#state);
  }
}
