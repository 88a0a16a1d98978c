import { open, seal } from './aead.ts';
import { gmOpen, gmSeal, hmacSm3 } from './gm.ts';
import type { Sodium } from './sodium.ts';

/** `classic`: XChaCha20-Poly1305, SHA-256, BLAKE2b/HMAC-SHA-256. `gm`: SM4-CTR+HMAC-SM3, SM3. */
export type CryptoSuiteName = 'classic' | 'gm';
export const CRYPTO_SUITES: readonly CryptoSuiteName[] = ['classic', 'gm'];

/**
 * The algorithms behind field envelopes, blind indexes and the audit hash
 * chain. Each envelope names its suite (`enc:v1:` classic, `enc:g1:` gm), so a
 * store holds both while a migration runs and decryption picks by envelope.
 * Out of scope, by decision: TLCP/GM-TLS transport, SM2 signatures (audit
 * checkpoints stay Ed25519) and certified hardware key storage — see
 * docs/crypto-suites.md and key-provider.ts.
 */
export interface CryptoSuite {
  readonly name: CryptoSuiteName;
  /** Envelope prefix; also the version tag bound into the associated data. */
  readonly envelopeTag: 'v1' | 'g1';
  /** Hash of the audit chain and its Merkle tree. */
  readonly hashAlg: 'sha256' | 'sm3';
  seal(key: Uint8Array, plain: Uint8Array, aad: string): Uint8Array;
  /** The plaintext, or `undefined` when key, data or associated data do not match. */
  open(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array | undefined;
  /** The per-kind blind index key under the root-derived index key. */
  indexKindKey(indexKey: Uint8Array, kind: string): Uint8Array;
  /** The keyed MAC of a normalised value under a kind key. */
  indexMac(kindKey: Uint8Array, value: string): Uint8Array;
}

export function classicSuite(sodium: Sodium): CryptoSuite {
  return {
    name: 'classic',
    envelopeTag: 'v1',
    hashAlg: 'sha256',
    seal: (key, plain, aad) => seal(sodium, key, plain, aad),
    open: (key, sealed, aad) => open(sodium, key, sealed, aad),
    indexKindKey: (indexKey, kind) => sodium.crypto_generichash(32, `blind-index:${kind}`, indexKey),
    indexMac: (kindKey, value) => sodium.crypto_auth_hmacsha256(value, kindKey),
  };
}

export const gmSuite: CryptoSuite = {
  name: 'gm',
  envelopeTag: 'g1',
  hashAlg: 'sm3',
  seal: gmSeal,
  open: gmOpen,
  indexKindKey: (indexKey, kind) => hmacSm3(indexKey, `blind-index:${kind}`),
  indexMac: (kindKey, value) => hmacSm3(kindKey, value),
};

export function suiteByName(sodium: Sodium, name: CryptoSuiteName): CryptoSuite {
  return name === 'gm' ? gmSuite : classicSuite(sodium);
}

export function isSuiteName(value: unknown): value is CryptoSuiteName {
  return value === 'classic' || value === 'gm';
}
