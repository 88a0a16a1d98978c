import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The hash of a record, its commitments and the Merkle nodes over it:
 * SHA-256 (classic suite) or SM3 (gm suite, GB/T 32905-2016). Both give 32 bytes.
 */
export type HashAlg = 'sha256' | 'sm3';
export const HASH_ALGS: readonly HashAlg[] = ['sha256', 'sm3'];

export function isHashAlg(value: unknown): value is HashAlg {
  return value === 'sha256' || value === 'sm3';
}

export function hashHex(alg: HashAlg, data: string | Uint8Array): string {
  return createHash(alg).update(data).digest('hex');
}

export const GENESIS_HASH = '0'.repeat(64);

/** Every field except storage metadata (`_id`, `_rev`, …) and the excluded one. */
export function withoutMeta(doc: Record<string, unknown>, exclude: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_') && k !== exclude) out[k] = v;
  return out;
}

/** Bytes signed for a checkpoint or the head marker: a domain tag plus the canonical body. */
export function signedBytes(kind: 'ckpt' | 'head', doc: Record<string, unknown>): Uint8Array {
  return Buffer.from(`branchline-audit-${kind}\n${canonicalJson(withoutMeta(doc, 'signature'))}`);
}
