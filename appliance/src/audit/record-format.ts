import { createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex, withoutMeta } from './canonical.ts';

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

/** The key that opens one field's commitment; giving it away reveals nothing about the other fields. */
export function openingOf(salt: string, field: string): string {
  return createHmac('sha256', Buffer.from(salt, 'base64url'))
    .update(`branchline-audit-opening\0${field}`)
    .digest('base64url');
}

/** The commitment to one field's value under its opening key. */
export function commitOf(opening: string, value: unknown): string {
  return createHmac('sha256', Buffer.from(opening, 'base64url'))
    .update(canonicalJson(value))
    .digest('base64url');
}

/** Commitments to every committed field present in `record`. */
export function commitFields(salt: string, record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of COMMITTED_FIELDS) {
    if (record[f] !== undefined) out[f] = commitOf(openingOf(salt, f), record[f]);
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

/** Hash of a record (either format): SHA-256 over the canonical JSON of `hashedBody`. */
export function recordHash(doc: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(hashedBody(doc)));
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
  if (typeof salt === 'string') {
    const want = commitFields(salt, doc);
    const fields = new Set([...Object.keys(want), ...Object.keys(c)]);
    return [...fields].filter((f) => want[f] !== c[f]).map((f) => `${f} does not match its commitment`);
  }
  if (!options.openings) return ['salt is missing'];
  const problems: string[] = [];
  for (const [f, opening] of Object.entries(options.openings)) {
    if (typeof opening !== 'string' || c[f] === undefined || commitOf(opening, doc[f]) !== c[f])
      problems.push(`${f} does not match its commitment`);
  }
  return problems;
}
