import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InvalidStateError } from '../../contracts/index.ts';
import { StorageError } from '../errors.ts';
import { KEY_BYTES } from './aead.ts';
import { wipeDerived } from './gm.ts';
import { KeyLogFile, type KeyLogRecord } from './key-log.ts';
import { assertKeyId, isCustomer, replayKeyLog } from './keyring-file.ts';
import { KeyringKeks } from './keyring-keks.ts';
import { keysDir, loadOrCreateRootKey } from './root-key.ts';
import { loadSodium, type Sodium } from './sodium.ts';
import type { CryptoSuiteName } from './suite.ts';

const shreddedError = (keyId: string) =>
  new StorageError('STORAGE_KEY_SHREDDED', `Key was shredded [keyId:${keyId}]`, { status: 410 });

interface PendingKey {
  id: string;
  key: Uint8Array;
  resolve: (key: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Key hierarchy: root key file → versioned key-encryption keys (wrapped by a
 * subkey of root) → data keys per class (`pii`, `message`, `secret`,
 * `recording`) and per customer (`cust:<id>`), wrapped by the current KEK.
 *
 * KEKs and the few class keys live in `<dataDir>/keys/keyring.json`, replaced
 * atomically and fsynced. Per-customer keys (100,000s) live in the append-only
 * `keys/customer-keys.log` (see key-log.ts): a new key costs one appended,
 * MAC'd record, and concurrent ensure() calls share one fdatasync (group
 * commit). A log was chosen over a LevelDB store because the key ring opens
 * before any database, must not depend on one, and needs "bytes are gone"
 * control for shred() that a LevelDB's lazily compacted SSTables cannot give.
 * rotate() and shred() rewrite (compact) the log.
 *
 * Every mutation runs on one serial chain, so a compaction never interleaves
 * with an append. One process owns a keyring: rotate through the running appliance.
 */
export class KeyRing {
  #sodium: Sodium;
  #indexKey: Uint8Array;
  #logKey: Uint8Array;
  #keks: KeyringKeks;
  #data = new Map<string, Uint8Array>();
  #shredded = new Set<string>();
  #log: KeyLogFile | undefined;
  #pending: PendingKey[] = [];
  #inflight = new Map<string, Promise<Uint8Array>>();
  #flushScheduled = false;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(sodium: Sodium, dataDir: string, suite: CryptoSuiteName | undefined) {
    this.#sodium = sodium;
    const root = loadOrCreateRootKey(dataDir);
    const wrapKey = sodium.crypto_kdf_derive_from_key(KEY_BYTES, 1, 'blwrap01', root);
    this.#indexKey = sodium.crypto_kdf_derive_from_key(KEY_BYTES, 2, 'blbidx01', root);
    this.#logKey = sodium.crypto_kdf_derive_from_key(KEY_BYTES, 3, 'blklog01', root);
    sodium.memzero(root);
    this.#keks = new KeyringKeks(sodium, { path: join(keysDir(dataDir), 'keyring.json'), wrapKey, suite });
    for (const [keyId, key] of this.#keks.dataKeys()) this.#data.set(keyId, key);
  }

  /**
   * Opens (creating on first start) the keyring under `<dataDir>/keys`. `suite`
   * is chosen at first start and stored; a later start asking for another one
   * is refused with STORAGE_SUITE_MISMATCH (switching takes a migration,
   * `setSuite()` then re-encryption). Undefined accepts the stored suite.
   */
  static async open(
    dataDir: string,
    options: { suite?: CryptoSuiteName | undefined } = {},
  ): Promise<KeyRing> {
    const ring = new KeyRing(await loadSodium(), dataDir, options.suite);
    try {
      const stored = ring.#keks.suite;
      if (options.suite !== undefined && options.suite !== stored) {
        throw new StorageError(
          'STORAGE_SUITE_MISMATCH',
          `Cannot open the key ring with crypto suite ${options.suite}: it was set up with ${stored}; migrate online with \`branchline keys migrate-suite ${options.suite}\` first [dataDir:${dataDir}]`,
          { status: 500 },
        );
      }
      await ring.#openLog(join(keysDir(dataDir), 'customer-keys.log'));
    } catch (err) {
      ring.close();
      throw err;
    }
    return ring;
  }

  get sodium(): Sodium {
    return this.#sodium;
  }
  /** Root-derived key for blind indexes; independent of KEK rotation. */
  get indexKey(): Uint8Array {
    this.#assertOpen();
    return this.#indexKey;
  }
  /** The suite new envelopes are sealed with. */
  get suite(): CryptoSuiteName {
    return this.#keks.suite;
  }
  /** The suite of the blind indexes, fixed at first start. */
  get indexSuite(): CryptoSuiteName {
    return this.#keks.indexSuite;
  }

  /** Switches the suite for new envelopes, durably; old envelopes still open by their tag. */
  setSuite(suite: CryptoSuiteName): Promise<void> {
    this.#assertOpen();
    return this.#serial(async () => this.#keks.setSuite(suite));
  }

  get kekVersion(): number {
    return this.#keks.current;
  }
  /** How many data keys (class and customer) are held. */
  get size(): number {
    return this.#data.size;
  }

  isShredded(keyId: string): boolean {
    return this.#shredded.has(keyId);
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
    const inflight = this.#inflight.get(keyId);
    if (inflight) return inflight;
    assertKeyId(keyId);
    if (this.isShredded(keyId)) throw shreddedError(keyId);
    const key = new Uint8Array(randomBytes(KEY_BYTES));
    const p = isCustomer(keyId)
      ? new Promise<Uint8Array>((resolve, reject) => {
          this.#pending.push({ id: keyId, key, resolve, reject });
          this.#scheduleFlush();
        })
      : this.#serial(async () => {
          this.#keks.putDataKey(keyId, key);
          return key;
        });
    const done = p.then(
      (k) => {
        this.#inflight.delete(keyId);
        this.#data.set(keyId, k);
        return k;
      },
      (err: unknown) => {
        this.#inflight.delete(keyId);
        throw err;
      },
    );
    this.#inflight.set(keyId, done);
    return done;
  }

  /** `key` wrapped under the current KEK, bound to `keyId` (the KeyProvider's wrap). */
  wrapKey(keyId: string, key: Uint8Array): { kek: number; wrapped: string } {
    this.#assertOpen();
    return this.#keks.wrap(keyId, key, this.#keks.current);
  }

  /** The key wrapKey() wrapped; STORAGE_DECRYPT_FAILED for another key id, KEK or tampered bytes. */
  unwrapKey(keyId: string, kek: number, wrapped: string): Uint8Array {
    this.#assertOpen();
    return this.#keks.unwrap(keyId, kek, wrapped);
  }

  /** New KEK version; every data key is rewrapped under it and old KEKs are dropped. Returns the count rewrapped. */
  async rotate(): Promise<number> {
    this.#assertOpen();
    return this.#serial(async () => {
      await this.#keks.rotate(this.#data, () => this.#compact());
      return this.#data.size;
    });
  }

  /**
   * Destroys a per-customer data key so its ciphertext can never be decrypted.
   * A tombstone is appended, then the log is rewritten without the wrapped key.
   * Filesystem caveat: the rewrite replaces the file by rename, so the old
   * bytes leave the file but the freed blocks are not overwritten; on
   * journaling/copy-on-write filesystems, SSDs and backups they may persist
   * physically until reused (they stay wrapped under a root-derived KEK, and the
   * next rotate() discards that KEK). Returns false if the key did not exist.
   */
  async shred(keyId: string): Promise<boolean> {
    this.#assertOpen();
    assertKeyId(keyId);
    if (!isCustomer(keyId)) throw new RangeError(`Only per-customer keys can be shredded: ${keyId}`);
    return (this.#inflight.get(keyId) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() =>
        this.#serial(async () => {
          const existed = this.#data.has(keyId);
          await this.#requireLog().append([{ t: 'x', id: keyId }]);
          this.#shredded.add(keyId);
          const key = this.#data.get(keyId);
          if (key) {
            wipeDerived(key);
            this.#sodium.memzero(key);
          }
          this.#data.delete(keyId);
          await this.#compact();
          return existed;
        }),
      );
  }

  /** Wipes keys from memory and closes the key log after queued writes; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const log = this.#log;
    this.#log = undefined;
    void this.#chain.then(() => log?.close()).catch(() => undefined);
    for (const p of this.#pending.splice(0)) p.reject(new InvalidStateError('KeyRing is closed'));
    for (const k of [this.#indexKey, this.#logKey, ...this.#data.values()]) {
      wipeDerived(k);
      this.#sodium.memzero(k);
    }
    this.#keks.close();
    this.#data.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('KeyRing is closed');
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(() => {
      this.#assertOpen();
      return op();
    });
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Group commit: every customer key queued while a write is in flight goes into the next one. */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#serial(async () => {
      this.#flushScheduled = false;
      const batch = this.#pending.splice(0);
      if (batch.length === 0) return;
      const kek = this.#keks.current;
      try {
        await this.#requireLog().append(batch.map((p) => this.#record(p.id, p.key, kek)));
      } catch (err) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) p.resolve(p.key);
    }).catch((err: unknown) => {
      this.#flushScheduled = false;
      for (const p of this.#pending.splice(0)) p.reject(err);
    });
  }

  #record(id: string, key: Uint8Array, kek: number): KeyLogRecord {
    return { t: 'k', id, kek, w: this.#keks.wrap(id, key, kek).wrapped };
  }

  /** Rewrites the log as exactly the live customer keys (current KEK) plus tombstones. */
  async #compact(): Promise<void> {
    const kek = this.#keks.current;
    const records: KeyLogRecord[] = [];
    for (const [id, key] of this.#data) if (isCustomer(id)) records.push(this.#record(id, key, kek));
    for (const id of this.#shredded) records.push({ t: 'x', id });
    await this.#requireLog().rewrite(records);
  }

  async #openLog(path: string): Promise<void> {
    const { log, records } = await KeyLogFile.open(path, this.#logKey);
    this.#log = log;
    for (const id of this.#keks.shredded) this.#shredded.add(id);
    const unfinishedShred = replayKeyLog(records, {
      data: this.#data,
      shredded: this.#shredded,
      unwrap: (id, kek, wrapped) => this.#keks.unwrap(id, kek, wrapped),
    });
    // Keys from a keyring.json written before the log existed move into the log.
    if (!unfinishedShred && !this.#keks.hasLegacyCustomerKeys()) return;
    await this.#compact();
    this.#keks.dropLegacyCustomerKeys();
  }

  #requireLog(): KeyLogFile {
    if (!this.#log) throw new InvalidStateError('KeyRing is closed');
    return this.#log;
  }
}
