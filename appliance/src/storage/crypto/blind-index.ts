import type { CryptoSuite } from './suite.ts';

const KIND = /^[a-z][a-z0-9_-]*$/;

/** Canonical form so equal values written differently index the same. */
export function normalise(kind: string, value: string): string {
  const v = value.normalize('NFKC').trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
    case 'card':
      return v.replace(/\D/g, '');
    case 'idcard':
      return v.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    default:
      return v;
  }
}

/**
 * Keyed MAC for equality lookups on encrypted fields: HMAC-SHA-256 (classic)
 * or HMAC-SM3 (gm). Each kind gets its own key (BLAKE2b resp. HMAC-SM3 of the
 * kind under the index key), so the same value indexed as `phone` and as
 * `card` yields unrelated tokens.
 */
export class BlindIndexer {
  #suite: CryptoSuite;
  #rootKey: Uint8Array;
  #kindKeys = new Map<string, Uint8Array>();

  constructor(suite: CryptoSuite, indexKey: Uint8Array) {
    this.#suite = suite;
    this.#rootKey = indexKey;
  }

  token(kind: string, value: string): string {
    if (!KIND.test(kind)) throw new TypeError(`Invalid blind index kind: ${JSON.stringify(kind)}`);
    if (typeof value !== 'string') throw new TypeError('Blind index value must be a string');
    const norm = normalise(kind, value);
    if (norm === '') throw new RangeError(`Cannot index value for ${kind}: empty after normalisation`);
    let key = this.#kindKeys.get(kind);
    if (!key) {
      key = this.#suite.indexKindKey(this.#rootKey, kind);
      this.#kindKeys.set(kind, key);
    }
    return Buffer.from(this.#suite.indexMac(key, norm)).toString('base64url');
  }
}
