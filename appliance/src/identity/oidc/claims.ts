import type { OidcConfig } from '../../config/index.ts';

/** The claim's values as strings: an array, one string, or a space/comma-separated string. */
export function claimValues(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  const v = claims[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(/[\s,]+/).filter((x) => x !== '');
  return [];
}

/**
 * Appliance roles for the IdP's groups through the configured map; an empty
 * result means the user is in no mapped group and is refused.
 * @example
 * mapRoles(['cc-admins', 'staff'], { 'cc-admins': ['admin'] }); // ['admin']
 */
export function mapRoles(groups: readonly string[], map: OidcConfig['roleMap']): string[] {
  const roles = new Set<string>();
  for (const g of groups) for (const r of map[g] ?? []) roles.add(r);
  return [...roles].sort();
}

/**
 * Whether the IdP asserts a multi-factor sign-in: an `amr` value or the `acr`
 * is among the configured ones.
 * @example
 * mfaAsserted({ amr: ['pwd', 'otp'] }, { mfaAmr: ['otp'], mfaAcr: [] }); // true
 */
export function mfaAsserted(
  claims: Readonly<Record<string, unknown>>,
  policy: Pick<OidcConfig, 'mfaAmr' | 'mfaAcr'>,
): boolean {
  const amr = claimValues(claims, 'amr');
  if (amr.some((a) => policy.mfaAmr.includes(a))) return true;
  const acr = claims['acr'];
  return typeof acr === 'string' && policy.mfaAcr.includes(acr);
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

/** The appliance username for a subject: preferred_username, else email, else the `sub` itself. */
export function usernameFor(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const k of ['preferred_username', 'email', 'sub']) {
    const v = claims[k];
    if (typeof v === 'string' && USERNAME.test(v)) return v;
  }
  return undefined;
}
