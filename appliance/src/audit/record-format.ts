import { createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, type HashAlg, hashHex, isHashAlg, withoutMeta } from './canonical.ts';

/**
 * Record format 2. The fields that can name a person — `actor`, `target`,
 * `source`, `details` — enter the record hash only through salted commitments
 * (`commits[field] = HMAC(opening(salt, field), canonical(value))`); the
 * random per-record `salt` stays at the branch. A copy shaped for HQ
 * (ids tokenised, fields sealed or withheld) therefore still verifies its
 * hash, chain, checkpoints and head, and a field shipped unchanged comes with
 * its own opening key so HQ can check it too. Format 1 records (no `v`) hash
 * every field and still verify as before.
 */
export const RECORD_FORMAT = 2;
export const COMMITTED_FIELDS = ['actor', 'target', 'source', 'details'] as const;
export type CommittedField = (typeof COMMITTED_FIELDS)[number];

/** A fresh per-record salt (128 bits, base64url). */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A record's hash algorithm: `alg` when present (the chain switched, e.g. to
 * SM3 under the gm suite, at the first record carrying it), else SHA-256.
 * `alg` is hashed with the record, so it cannot be changed afterwards.
 * Undefined for a value that is no known algorithm (verify reports it).
 */
export function algOf(doc: Record<string, unknown>): HashAlg | undefined {
  const alg = doc['alg'] ?? 'sha256';
  return isHashAlg(alg) ? alg : undefined;
}

/**
 * The key that opens one field's commitment; giving it away reveals nothing
 * about the other fields. HMAC-SHA-256, or HMAC-SM3 in an SM3 record.
 */
export function openingOf(salt: string, field: string, alg: HashAlg = 'sha256'): string {
  return createHmac(alg, Buffer.from(salt, 'base64url'))
    .update(`branchline-audit-opening\0${field}`)
    .digest('base64url');
}

/** The commitment to one field's value under its opening key. */
export function commitOf(opening: string, value: unknown, alg: HashAlg = 'sha256'): string {
  return createHmac(alg, Buffer.from(opening, 'base64url')).update(canonicalJson(value)).digest('base64url');
}

/** Commitments to every committed field present in `record`. */
export function commitFields(
  salt: string,
  record: Record<string, unknown>,
  alg: HashAlg = 'sha256',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of COMMITTED_FIELDS) {
    if (record[f] !== undefined) out[f] = commitOf(openingOf(salt, f, alg), record[f], alg);
  }
  return out;
}

export function isFormat2(doc: Record<string, unknown>): boolean {
  return doc['v'] === RECORD_FORMAT;
}

/**
 * What the hash of a record covers: format 1 every stored field but `hash`;
 * format 2 every field but `hash`, `salt` and the committed fields (their
 * `commits` stand in), so fields added later still show.
 */
export function hashedBody(doc: Record<string, unknown>): Record<string, unknown> {
  const body = withoutMeta(doc, 'hash');
  if (!isFormat2(doc)) return body;
  delete body['salt'];
  for (const f of COMMITTED_FIELDS) delete body[f];
  return body;
}

/**
 * Hash of a record (either format): its algorithm (SHA-256 or SM3, see algOf)
 * over the canonical JSON of `hashedBody`; '' for an unknown algorithm, which matches no hash.
 */
export function recordHash(doc: Record<string, unknown>): string {
  const alg = algOf(doc);
  return alg ? hashHex(alg, canonicalJson(hashedBody(doc))) : '';
}

/**
 * Checks a format 2 record's commitments. With its `salt` (the branch's copy)
 * every committed field must match and no commitment may be missing or extra;
 * without it (HQ's shaped copy) only the fields named in `openings` are checked.
 * Returns what does not match, empty when all is well.
 */
export function commitmentProblems(
  doc: Record<string, unknown>,
  options: { openings?: Record<string, unknown> } = {},
): string[] {
  const commits = doc['commits'];
  if (commits === null || typeof commits !== 'object') return ['commits are missing'];
  const c = commits as Record<string, unknown>;
  const salt = doc['salt'];
  const alg = algOf(doc);
  if (!alg) return ['names an unknown hash algorithm'];
  if (typeof salt === 'string') {
    const want = commitFields(salt, doc, alg);
    const fields = new Set([...Object.keys(want), ...Object.keys(c)]);
    return [...fields].filter((f) => want[f] !== c[f]).map((f) => `${f} does not match its commitment`);
  }
  if (!options.openings) return ['salt is missing'];
  const problems: string[] = [];
  for (const [f, opening] of Object.entries(options.openings)) {
    if (typeof opening !== 'string' || c[f] === undefined || commitOf(opening, doc[f], alg) !== c[f])
      problems.push(`${f} does not match its commitment`);
  }
  return problems;
}
