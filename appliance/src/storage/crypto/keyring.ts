import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidStateError } from '../../contracts/index.ts';
import { StorageError } from '../errors.ts';
import { KEY_BYTES, open, seal } from './aead.ts';
import { writeFileDurable } from './durable-file.ts';
import { keysDir, loadOrCreateRootKey } from './root-key.ts';
import { loadSodium, type Sodium } from './sodium.ts';

interface KeyringFile {
  format: 1;
  currentKek: number;
  /** KEK version → KEK wrapped by the root wrapping key. */
  keks: Record<string, string>;
  /** Data key id → data key wrapped by a KEK. */
  dataKeys: Record<string, { kek: number; wrapped: string }>;
  /** Ids whose keys were destroyed; never silently re-created. */
  shredded: string[];
}

const KEY_ID = /^[a-z][a-z0-9_-]*(:[A-Za-z0-9_.@-]+)?$/;

export function assertKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) throw new TypeError(`Invalid key id: ${JSON.stringify(keyId)}`);
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * Key hierarchy: root key file → versioned key-encryption keys (wrapped by a
 * subkey of root) → data keys per class (`pii`, `message`, `secret`,
 * `recording`) and per customer (`cust:<id>`), wrapped by the current KEK.
 * Persisted in `<dataDir>/keys/keyring.json`, replaced atomically and fsynced.
 * One process owns a keyring: rotate through the running appliance.
 */
export class KeyRing {
  #sodium: Sodium;
  #path: string;
  #wrapKey: Uint8Array;
  #indexKey: Uint8Array;
  #state: KeyringFile;
  #keks = new Map<number, Uint8Array>();
  #data = new Map<string, Uint8Array>();
  #closed = false;

  private constructor(sodium: Sodium, dataDir: string) {
    this.#sodium = sodium;
    this.#path = join(keysDir(dataDir), 'keyring.json');
    const root = loadOrCreateRootKey(dataDir);
    this.#wrapKey = sodium.crypto_kdf_derive_from_key(KEY_BYTES, 1, 'blwrap01', root);
    this.#indexKey = sodium.crypto_kdf_derive_from_key(KEY_BYTES, 2, 'blbidx01', root);
    sodium.memzero(root);
    this.#state = existsSync(this.#path) ? this.#load() : this.#fresh();
  }

  /** Opens (creating on first start) the keyring under `<dataDir>/keys`. */
  static async open(dataDir: string): Promise<KeyRing> {
    return new KeyRing(await loadSodium(), dataDir);
  }

  get sodium(): Sodium {
    return this.#sodium;
  }
  /** Root-derived key for blind indexes; independent of KEK rotation. */
  get indexKey(): Uint8Array {
    this.#assertOpen();
    return this.#indexKey;
  }
  get kekVersion(): number {
    return this.#state.currentKek;
  }

  isShredded(keyId: string): boolean {
    return this.#state.shredded.includes(keyId);
  }

  /** The data key, or undefined if it was never created (or was shredded). */
  find(keyId: string): Uint8Array | undefined {
    this.#assertOpen();
    return this.#data.get(keyId);
  }

  /** The data key, created and persisted first if new; a shredded id rejects with STORAGE_KEY_SHREDDED. */
  async ensure(keyId: string): Promise<Uint8Array> {
    this.#assertOpen();
    const have = this.#data.get(keyId);
    if (have) return have;
    assertKeyId(keyId);
    if (this.isShredded(keyId)) {
      throw new StorageError('STORAGE_KEY_SHREDDED', `Key was shredded [keyId:${keyId}]`, { status: 410 });
    }
    const key = new Uint8Array(randomBytes(KEY_BYTES));
    const kek = this.#state.currentKek;
    this.#state.dataKeys[keyId] = {
      kek,
      wrapped: b64(seal(this.#sodium, this.#kek(kek), key, `dek:${keyId}:${kek}`)),
    };
    this.#persist();
    this.#data.set(keyId, key);
    return key;
  }

  /** New KEK version; every data key is rewrapped under it and old KEKs are dropped. Returns the count rewrapped. */
  async rotate(): Promise<number> {
    this.#assertOpen();
    const version = this.#state.currentKek + 1;
    const kek = new Uint8Array(randomBytes(KEY_BYTES));
    const dataKeys: KeyringFile['dataKeys'] = {};
    for (const [keyId, key] of this.#data) {
      dataKeys[keyId] = {
        kek: version,
        wrapped: b64(seal(this.#sodium, kek, key, `dek:${keyId}:${version}`)),
      };
    }
    const keks = { [version]: b64(seal(this.#sodium, this.#wrapKey, kek, `kek:${version}`)) };
    this.#state = { ...this.#state, currentKek: version, keks, dataKeys };
    this.#persist();
    for (const old of this.#keks.values()) this.#sodium.memzero(old);
    this.#keks = new Map([[version, kek]]);
    return this.#data.size;
  }

  /** Destroys a per-customer data key so its ciphertext can never be decrypted. Returns false if it did not exist. */
  async shred(keyId: string): Promise<boolean> {
    this.#assertOpen();
    assertKeyId(keyId);
    if (!keyId.startsWith('cust:')) throw new RangeError(`Only per-customer keys can be shredded: ${keyId}`);
    const existed = keyId in this.#state.dataKeys;
    delete this.#state.dataKeys[keyId];
    if (!this.isShredded(keyId)) this.#state.shredded.push(keyId);
    this.#persist();
    const key = this.#data.get(keyId);
    if (key) this.#sodium.memzero(key);
    this.#data.delete(keyId);
    return existed;
  }

  /** Wipes keys from memory; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const k of [this.#wrapKey, this.#indexKey, ...this.#keks.values(), ...this.#data.values()]) {
      this.#sodium.memzero(k);
    }
    this.#keks.clear();
    this.#data.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('KeyRing is closed');
  }

  #kek(version: number): Uint8Array {
    const kek = this.#keks.get(version);
    if (!kek) throw new StorageError('STORAGE_DECRYPT_FAILED', `Unknown key-encryption key [kek:${version}]`);
    return kek;
  }

  #fresh(): KeyringFile {
    const kek = new Uint8Array(randomBytes(KEY_BYTES));
    this.#keks.set(1, kek);
    const state: KeyringFile = {
      format: 1,
      currentKek: 1,
      keks: { 1: b64(seal(this.#sodium, this.#wrapKey, kek, 'kek:1')) },
      dataKeys: {},
      shredded: [],
    };
    this.#state = state;
    this.#persist();
    return state;
  }

  #load(): KeyringFile {
    const state = JSON.parse(readFileSync(this.#path, 'utf8')) as KeyringFile;
    const fail = (what: string): never => {
      throw new StorageError('STORAGE_DECRYPT_FAILED', `Keyring does not match the root key [${what}]`);
    };
    for (const [v, wrapped] of Object.entries(state.keks)) {
      this.#keks.set(
        Number(v),
        open(this.#sodium, this.#wrapKey, unb64(wrapped), `kek:${v}`) ?? fail(`kek:${v}`),
      );
    }
    for (const [keyId, { kek, wrapped }] of Object.entries(state.dataKeys)) {
      const key = open(this.#sodium, this.#kek(kek), unb64(wrapped), `dek:${keyId}:${kek}`);
      this.#data.set(keyId, key ?? fail(`dek:${keyId}`));
    }
    return state;
  }

  #persist(): void {
    writeFileDurable(this.#path, JSON.stringify(this.#state, null, 1), 0o600);
  }
}
