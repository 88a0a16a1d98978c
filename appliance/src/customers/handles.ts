import { BadInputError } from '../contracts/index.ts';
import type { DocStore } from '../storage/index.ts';
import { CustomersError } from './errors.ts';
import { legacyPhoneValues, parsePhone } from './phone.ts';
import type { BlindIndexer, CustomerHandle, Handle, HandleKind } from './types.ts';

const KINDS: ReadonlySet<HandleKind> = new Set([
  'phone',
  'email',
  'wechat_openid',
  'wechat_unionid',
  'wecom_external',
  'web_visitor',
]);

/** The blind-index document that maps one handle to its customer. */
export interface HandleIndexDoc {
  customerId: string;
  kind?: HandleKind;
  verified?: boolean;
  /** The handle a customer was created from: the same sender writing again is the same customer. */
  origin?: boolean;
}

/**
 * Canonical value per kind (a phone as E.164 read in the branch's `region`);
 * throws CUSTOMERS_INVALID_FIELD for a bad phone or email.
 */
export function normaliseHandle(h: Handle, region: string): CustomerHandle {
  if (!KINDS.has(h.kind))
    throw new BadInputError('CUSTOMERS_INVALID_FIELD', `Unknown handle kind: ${JSON.stringify(h.kind)}`);
  const raw = h.value.normalize('NFKC').trim();
  let value = raw;
  if (h.kind === 'phone') value = parsePhone(raw, region).value;
  if (h.kind === 'email') {
    value = raw.toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) || value.length > 254) {
      throw new CustomersError('CUSTOMERS_INVALID_FIELD', 'Invalid email address', {
        details: { field: 'email' },
      });
    }
  }
  if (value === '' || value.length > 256) {
    throw new CustomersError('CUSTOMERS_INVALID_FIELD', 'Invalid handle value', {
      details: { field: h.kind },
    });
  }
  return { kind: h.kind, value, verified: h.verified === true };
}

/**
 * Phone keeps the `idx:phone:` prefix the first customers API used, so caller-ID
 * lookup and handle linking share one index.
 */
export function handleKey(index: BlindIndexer, h: CustomerHandle): string {
  return `idx:${h.kind}:${index.blindIndex(h.kind, h.value)}`;
}

/**
 * Every index key a handle may be stored under, the canonical one first: a
 * phone also under the values the pre-region normaliser made of it, so
 * customers stored before are still found (and re-keyed when next linked).
 */
export function handleKeys(index: BlindIndexer, h: Handle, region: string): string[] {
  const canonical = handleKey(index, normaliseHandle(h, region));
  if (h.kind !== 'phone') return [canonical];
  const old = legacyPhoneValues(h.value, region).map((value) =>
    handleKey(index, { kind: 'phone', value, verified: false }),
  );
  return [canonical, ...old];
}

/** The first of `keys` that has an index document. */
export async function findIndex(
  store: DocStore,
  keys: readonly string[],
): Promise<{ key: string; idx: HandleIndexDoc } | undefined> {
  for (const key of keys) {
    const idx = await store.get<HandleIndexDoc>(key);
    if (idx) return { key, idx };
  }
  return undefined;
}

/** Points a handle at `customerId`, creating or rewriting its index document. */
export async function pointHandle(store: DocStore, key: string, doc: HandleIndexDoc): Promise<void> {
  const prior = await store.get<HandleIndexDoc>(key);
  if (prior) await store.put({ ...prior, ...doc, _id: key, _rev: prior._rev });
  else await store.create({ _id: key, ...doc });
}

/**
 * Email links to an existing customer only when either side is verified
 * (DESIGN §5), or when that customer was created from this very address.
 */
export function canLink(h: CustomerHandle, idx: HandleIndexDoc): boolean {
  return h.kind !== 'email' || h.verified || idx.verified === true || idx.origin === true;
}
