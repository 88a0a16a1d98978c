import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StorageError } from '../errors.ts';
import { KEY_BYTES, open, seal } from './aead.ts';
import { writeFileDurable } from './durable-file.ts';
import type { KeyLogRecord } from './key-log.ts';
import type { Sodium } from './sodium.ts';
import type { CryptoSuiteName } from './suite.ts';

/** `<dataDir>/keys/keyring.json`: KEKs and class data keys (customer keys live in the key log). */
export interface KeyringFile {
  format: 1;
  currentKek: number;
  /** KEK version → KEK wrapped by the root wrapping key. */
  keks: Record<string, string>;
  /** Class data key id → data key wrapped by a KEK. Per-customer keys live in the key log. */
  dataKeys: Record<string, { kek: number; wrapped: string }>;
  /** Legacy (before the key log): migrated into log tombstones on open. */
  shredded: string[];
  /** Suite new field envelopes are sealed with; chosen at first start, absent = classic. */
  suite?: CryptoSuiteName;
  /** Suite of the blind indexes; fixed at first start (tokens are stored in documents), absent = classic. */
  indexSuite?: CryptoSuiteName;
}

const KEY_ID = /^[a-z][a-z0-9_-]*(:[A-Za-z0-9_.@-]+)?$/;

export function assertKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) throw new TypeError(`Invalid key id: ${JSON.stringify(keyId)}`);
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const isCustomer = (keyId: string): boolean => keyId.startsWith('cust:');

/** A first-start keyring: KEK version 1, wrapped by the root wrapping key, and no data keys. */
export function freshKeyringFile(
  sodium: Sodium,
  wrapKey: Uint8Array,
  suite: CryptoSuiteName = 'classic',
): { state: KeyringFile; kek: Uint8Array } {
  const kek = new Uint8Array(randomBytes(KEY_BYTES));
  const state: KeyringFile = {
    format: 1,
    currentKek: 1,
    keks: { 1: b64(seal(sodium, wrapKey, kek, 'kek:1')) },
    dataKeys: {},
    shredded: [],
    suite,
    indexSuite: suite,
  };
  return { state, kek };
}

export function readKeyringFile(path: string): KeyringFile {
  const state = JSON.parse(readFileSync(path, 'utf8')) as KeyringFile;
  state.shredded ??= [];
  return state;
}

export function writeKeyringFile(path: string, state: KeyringFile): void {
  writeFileDurable(path, JSON.stringify(state, null, 1), 0o600);
}

/** Every KEK in the file, unwrapped; a wrong root key is STORAGE_DECRYPT_FAILED. */
export function unwrapKeks(sodium: Sodium, wrapKey: Uint8Array, state: KeyringFile): Map<number, Uint8Array> {
  const keks = new Map<number, Uint8Array>();
  for (const [v, wrapped] of Object.entries(state.keks)) {
    const kek = open(sodium, wrapKey, unb64(wrapped), `kek:${v}`);
    if (!kek)
      throw new StorageError('STORAGE_DECRYPT_FAILED', `Keyring does not match the root key [kek:${v}]`);
    keks.set(Number(v), kek);
  }
  return keks;
}

/** True when a keyring.json from before the key log still holds customer keys or shreds. */
export function hasLegacyCustomerKeys(state: KeyringFile): boolean {
  return state.shredded.length > 0 || Object.keys(state.dataKeys).some(isCustomer);
}

/** The file once its customer keys and shreds have moved into the key log. */
export function withoutLegacyCustomerKeys(state: KeyringFile): KeyringFile {
  const dataKeys: KeyringFile['dataKeys'] = {};
  for (const [id, v] of Object.entries(state.dataKeys)) if (!isCustomer(id)) dataKeys[id] = v;
  return { ...state, dataKeys, shredded: [] };
}

interface ReplayTarget {
  data: Map<string, Uint8Array>;
  shredded: Set<string>;
  unwrap(keyId: string, kek: number, wrapped: string): Uint8Array;
}

/**
 * Applies the key log's records in order onto the keys held in memory; true when the
 * log needs compacting because a shred crashed before its compaction finished.
 */
export function replayKeyLog(records: readonly KeyLogRecord[], into: ReplayTarget): boolean {
  let dirty = false;
  for (const r of records) {
    if (r.t === 'x') {
      dirty ||= into.data.has(r.id);
      into.shredded.add(r.id);
      into.data.delete(r.id);
    } else if (!into.shredded.has(r.id)) {
      into.data.set(r.id, into.unwrap(r.id, r.kek, r.w));
    } else dirty = true;
  }
  return dirty;
}
