import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { FieldRule } from './policy.ts';

/** Where a sealed value will live; bound into the ciphertext as associated data. */
export interface SealContext {
  db: string;
  docId: string;
  field: string;
}

/**
 * Encrypts a `sealed` field: to HQ's published key (`hqSealer`, so HQ can
 * open it) or, in older set-ups, with a branch key. `undefined` means there is
 * nothing to seal to: the field is then withheld.
 */
export interface Sealer {
  seal(value: string, ctx: SealContext): Promise<string | undefined>;
}

const TOKEN_PREFIX = 'tok:';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : canonicalJson(value);
}

/**
 * Keyed pseudonym: HMAC-SHA256 under the branch token key over the normalised
 * value, so the same person gets the same token in every class and document of
 * this branch. Branches hold different keys, so tokens do not link across
 * branches unless HQ issues a shared pseudonym key (a deliberate choice: one
 * leaked key would then unmask every branch).
 */
export function pseudonym(tokenKey: Uint8Array, value: unknown): string {
  const mac = createHmac('sha256', tokenKey).update(text(value)).digest('base64url');
  return TOKEN_PREFIX + mac.slice(0, 27);
}

/** A keyed digest used only locally to notice which fields changed; never leaves the branch. */
export function fieldDigest(tokenKey: Uint8Array, value: unknown): string {
  return createHmac('sha256', tokenKey).update('digest\0').update(canonicalJson(value)).digest('base64url');
}

/** Applies one rule to one value; `undefined` means the field must not leave the branch. */
export async function shapeValue(
  rule: FieldRule,
  value: unknown,
  ctx: SealContext,
  options: { tokenKey: Uint8Array; sealer: Sealer },
): Promise<unknown> {
  switch (rule) {
    case 'plain':
      return value;
    case 'token':
      return value === null || value === undefined ? value : pseudonym(options.tokenKey, value);
    case 'sealed':
      return value === null || value === undefined
        ? value
        : options.sealer.seal(typeof value === 'string' ? value : canonicalJson(value), ctx);
    default:
      return undefined;
  }
}
