import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical.ts';

export const DATA_CLASSES = ['tickets', 'crm', 'audit', 'recordings', 'message_bodies'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];
/** What leaves the branch for one field. Fields a policy does not name are `withheld`. */
export type FieldRule = 'plain' | 'token' | 'sealed' | 'withheld';
const RULES: readonly FieldRule[] = ['plain', 'token', 'sealed', 'withheld'];

/**
 * Whether a class's data is copied off the branch as a whole before the branch
 * deletes it: `off` (the default; data stays in the branch) or
 * `archive-before-purge` (today only `recordings`: the encrypted leg files go to
 * HQ, and the retention purge keeps a recording until HQ has verified it).
 */
export type ArchiveRule = 'off' | 'archive-before-purge';
const ARCHIVE_RULES: readonly ArchiveRule[] = ['off', 'archive-before-purge'];

export interface ResidencyPolicy {
  /** Monotonic; a branch never accepts a lower version than the one it runs. */
  version: number;
  issuedAt: string;
  classes: Partial<Record<DataClass, { fields: Record<string, FieldRule>; archive?: ArchiveRule }>>;
}

/** A policy with HQ's Ed25519 signature over its canonical JSON. */
export interface SignedPolicy {
  policy: ResidencyPolicy;
  /** base64 signature. */
  signature: string;
  /** base64url raw Ed25519 public key (JWK `x`) of the signer. */
  signer: string;
}

/** An HQ policy-signing key pair; `publicKey` is what branches pin. */
export interface PolicyKeyPair {
  publicKey: string;
  privateKeyPem: string;
}

export function generatePolicyKey(): PolicyKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return { publicKey: jwk.x, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

function publicKeyOf(x: string) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** Validates shape: known classes, known rules, integer version. Throws TypeError naming the problem. */
export function assertPolicy(policy: ResidencyPolicy): void {
  if (!Number.isInteger(policy.version) || policy.version < 1)
    throw new TypeError('policy.version must be ≥ 1');
  for (const [cls, spec] of Object.entries(policy.classes)) {
    if (!(DATA_CLASSES as readonly string[]).includes(cls)) throw new TypeError(`Unknown data class: ${cls}`);
    for (const [field, rule] of Object.entries(spec?.fields ?? {})) {
      if (!RULES.includes(rule)) throw new TypeError(`Unknown rule for ${cls}.${field}: ${String(rule)}`);
    }
    const archive = spec?.archive;
    if (archive !== undefined && !ARCHIVE_RULES.includes(archive))
      throw new TypeError(`Unknown archive rule for ${cls}: ${String(archive)}`);
    if (archive === 'archive-before-purge' && cls !== 'recordings')
      throw new TypeError(`Archive before purge is not offered for ${cls}`);
  }
}

/** The archive rule for a class; absent means `off`. */
export function archiveRuleFor(policy: ResidencyPolicy, cls: DataClass): ArchiveRule {
  return policy.classes[cls]?.archive ?? 'off';
}

export function signPolicy(policy: ResidencyPolicy, key: PolicyKeyPair): SignedPolicy {
  assertPolicy(policy);
  const signature = sign(null, Buffer.from(canonicalJson(policy)), createPrivateKey(key.privateKeyPem));
  return { policy, signature: signature.toString('base64'), signer: key.publicKey };
}

/**
 * True when `signed` carries a valid signature by the pinned HQ key. A policy
 * signed by any other key is refused even if its own signature checks out.
 */
export function verifyPolicy(signed: SignedPolicy, pinnedPublicKey: string): boolean {
  if (signed.signer !== pinnedPublicKey) return false;
  try {
    assertPolicy(signed.policy);
    return verify(
      null,
      Buffer.from(canonicalJson(signed.policy)),
      publicKeyOf(pinnedPublicKey),
      Buffer.from(signed.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The rule for one field; anything unnamed is withheld. */
export function ruleFor(policy: ResidencyPolicy, cls: DataClass, field: string): FieldRule {
  return policy.classes[cls]?.fields[field] ?? 'withheld';
}

/**
 * The starting policy: operational ticket fields plain, people tokenised,
 * free text sealed, bodies and recordings withheld. Audit's open fields go
 * plain, but inside them customer and contact ids and personal detail keys take
 * the rule of the ticket or CRM field they describe (see audit-shape.ts; an
 * audit rule `details.<key>` overrides); the chain fields always leave, and
 * format 2 records commit to the open fields by salted digests, so HQ's
 * witness verifies the shaped copy.
 */
export function defaultPolicy(now = new Date()): ResidencyPolicy {
  return {
    version: 1,
    issuedAt: now.toISOString(),
    classes: {
      tickets: {
        fields: {
          number: 'plain',
          state: 'plain',
          status: 'plain',
          priority: 'plain',
          queue: 'plain',
          category: 'plain',
          createdAt: 'plain',
          updatedAt: 'plain',
          assignee: 'token',
          customerId: 'token',
          customerName: 'token',
          customerPhone: 'token',
          subject: 'sealed',
          description: 'sealed',
        },
      },
      crm: {
        fields: {
          segment: 'plain',
          createdAt: 'plain',
          updatedAt: 'plain',
          name: 'token',
          phone: 'token',
          email: 'token',
          address: 'sealed',
        },
      },
      audit: {
        fields: Object.fromEntries(
          ['seq', 'at', 'actor', 'action', 'target', 'outcome', 'source', 'details', 'prevHash', 'hash'].map(
            (f) => [f, 'plain' as FieldRule],
          ),
        ),
      },
      recordings: { fields: {} },
      message_bodies: { fields: {} },
    },
  };
}
