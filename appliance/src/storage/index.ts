/**
 * Storage: the DocStore port, its adapters (memory, durable PouchDB/LevelDB,
 * encrypting decorator) and the crypto facade with its key ring.
 * @example
 * const store = new MemoryDocStore('identity');
 * await store.create({ _id: 'user:ann', name: 'Ann' });
 */

/**
 * Canonical form used by blind indexes (email lowercased, phone/card digits only).
 * @example
 * normalise('phone', '+86 138-0000-0000'); // '8613800000000'
 */
export { normalise } from './crypto/blind-index.ts';
/**
 * True for a string in the `enc:v1:` envelope format (e.g. for canary scans).
 * @example
 * isEnvelope(doc.phone); // true when stored encrypted
 */
export { isEnvelope } from './crypto/envelope.ts';
export type { FieldContext, Reencryptable, SuiteMigration } from './crypto/facade.ts';
/**
 * Field encryption, blind indexes, KEK rotation and crypto-shredding.
 * @example
 * const crypto = await openCrypto(config.dataDir);
 * const env = await crypto.encrypt('6222 0000 0000 1234', 'pii', { db: 'customers', docId: 'cust:42', field: 'card' });
 * await crypto.decrypt(env, { db: 'customers', docId: 'cust:42', field: 'card' });
 */
export { CryptoFacade, openCrypto } from './crypto/facade.ts';
export type { FileSigner, KeyHandle, KeyProvider } from './crypto/key-provider.ts';
/**
 * The key-provider port (PKCS#11-shaped: getKey / wrap / unwrap / sign by handle)
 * where an HSM or PCI crypto card would plug in; the file key ring is its first implementation.
 * @example
 * const provider = new FileKeyProvider(crypto.keys, { signers: { audit: signer } });
 * const wrapped = await provider.wrap('kek', 'cust:42', await provider.getKey('cust:42'));
 */
export { FileKeyProvider } from './crypto/key-provider.ts';
/**
 * The key hierarchy behind CryptoFacade: root key → KEKs → data keys.
 * @example
 * const keys = await KeyRing.open(config.dataDir);
 * const crypto = new CryptoFacade(keys);
 */
export { KeyRing } from './crypto/keyring.ts';
export type { Sodium, SodiumAead, SodiumSecretStream, SodiumSign } from './crypto/sodium.ts';
/**
 * libsodium (wasm loaded, once per process) for contexts that sign or stream-encrypt.
 * @example
 * const sodium = await loadSodium();
 * const { publicKey, privateKey } = sodium.crypto_sign_keypair();
 */
export { loadSodium } from './crypto/sodium.ts';
export type { CryptoSuite, CryptoSuiteName } from './crypto/suite.ts';
/**
 * The crypto suites: `classic` (XChaCha20-Poly1305, SHA-256) and `gm`
 * (SM4-CTR + HMAC-SM3, SM3), chosen at first start; see docs/crypto-suites.md.
 * @example
 * if (isSuiteName(arg)) await crypto.migrateSuite(arg); // then every store re-encrypts online
 */
export { CRYPTO_SUITES, isSuiteName } from './crypto/suite.ts';
export type { EncryptedDocStoreOptions } from './encrypted-store.ts';
/**
 * Encrypts chosen top-level string fields of another DocStore.
 * @example
 * const customers = new EncryptedDocStore(db, { crypto, fields: ['name', 'phone'], keyIdFor: (d) => `cust:${String(d.id)}` });
 */
export { EncryptedDocStore } from './encrypted-store.ts';
export type { StorageErrorCode } from './errors.ts';
/**
 * Coded storage errors: STORAGE_CONFLICT, STORAGE_INVALID_DOC, STORAGE_DECRYPT_FAILED, STORAGE_KEY_SHREDDED, STORAGE_IO.
 * @example
 * if (err instanceof StorageError && err.code === 'STORAGE_CONFLICT') retry();
 */
export { StorageError } from './errors.ts';
/**
 * Serialises read-modify-write per key in-process; different keys run concurrently.
 * @example
 * const lock = new KeyedLock();
 * await lock.run(`cust:${id}`, async () => store.put({ ...(await store.get(`cust:${id}`)), name }));
 */
export type { WalkOptions } from './index-walk.ts';
/**
 * One page of a listing kept as sorted index keys; merges several prefixes.
 * @example
 * const { items, last } = await walkIndex(db, { prefixes: ['user:'], limit: 50, load: async (es) => es });
 */
export { walkIndex } from './index-walk.ts';
export { KeyedLock } from './keyed-lock.ts';
export { MemoryDocStore } from './memory-store.ts';
/**
 * Durable DocStore: every acknowledged write is fsynced, concurrent writes share one fsync.
 * @example
 * const db = await openPouchStore(join(config.dataDir, 'db'), 'customers');
 * await db.create({ _id: 'cust:42', phoneIdx: crypto.blindIndex('phone', '+86 138 0000 0000') });
 */
export { openPouchStore, PouchDocStore } from './pouch-store.ts';
export type {
  ChangesResult,
  DocMeta,
  DocStore,
  ListOptions,
  NewDoc,
  StoredDoc,
  WriteResult,
} from './types.ts';
