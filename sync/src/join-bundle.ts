import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { canonicalJson } from './canonical.ts';
import {
  DATA_CLASSES,
  type DataClass,
  type FieldRule,
  type PolicyKeyPair,
  type ResidencyPolicy,
  type SignedPolicy,
  verifyPolicy,
} from './policy.ts';

/**
 * What HQ's "Add branch" hands to the branch admin, once: where HQ is, how to
 * trust it, the branch's own credentials, the keys to pin and the policy in
 * force. Signed by HQ's control key (the one it pins), so a bundle altered in
 * transit is refused before anything is tried.
 */
export interface JoinBundle {
  v: 1;
  branch: string;
  name: string;
  hqUrl: string;
  /** HQ's CA certificate (PEM) when HQ serves TLS; the branch trusts only it. */
  caPem?: string;
  /** SHA-256 of the CA certificate (DER), colon-separated hex, for the operator to compare. */
  caFingerprint?: string;
  username: string;
  password: string;
  hqControlKey: string;
  hqSealKey: string;
  policy: SignedPolicy;
  issuedAt: string;
  /** base64 Ed25519 signature by `hqControlKey` over the canonical JSON of every other field. */
  sig: string;
}

/** The text form starts with this; the rest is base64url of raw-deflated JSON. */
export const JOIN_BUNDLE_PREFIX = 'BLHQ1-';

/** Why a bundle text was refused; the appliance maps it to its own coded error. */
export type JoinBundleProblem = 'format' | 'signature' | 'policy' | 'ca';

export class JoinBundleError extends Error {
  override name = 'JoinBundleError';
  constructor(
    readonly problem: JoinBundleProblem,
    message: string,
  ) {
    super(message);
  }
}

/** SHA-256 of a PEM certificate's DER, as `AB:CD:…` (what `openssl x509 -fingerprint -sha256` prints). */
export function caFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function unsigned(b: Omit<JoinBundle, 'sig'> | JoinBundle): string {
  const { sig: _sig, ...rest } = b as JoinBundle;
  return canonicalJson(rest);
}

/** Signs a bundle with HQ's control key and returns its text form (`BLHQ1-…`). */
export function issueJoinBundle(body: Omit<JoinBundle, 'v' | 'sig'>, key: PolicyKeyPair): string {
  const full: Omit<JoinBundle, 'sig'> = { v: 1, ...body };
  const sig = sign(null, Buffer.from(unsigned(full)), createPrivateKey(key.privateKeyPem)).toString('base64');
  return encodeJoinBundle({ ...full, sig });
}

export function encodeJoinBundle(bundle: JoinBundle): string {
  return JOIN_BUNDLE_PREFIX + deflateRawSync(Buffer.from(JSON.stringify(bundle))).toString('base64url');
}

const STRINGS = [
  'branch',
  'name',
  'hqUrl',
  'username',
  'password',
  'hqControlKey',
  'hqSealKey',
  'issuedAt',
  'sig',
];

/**
 * Parses and checks a bundle text (whitespace and line breaks ignored): its
 * shape, HQ's signature over it, the policy's signature by the same key, and
 * the CA fingerprint. Throws JoinBundleError naming the problem.
 */
export function decodeJoinBundle(text: string): JoinBundle {
  const compact = text.replace(/\s+/g, '');
  if (!compact.startsWith(JOIN_BUNDLE_PREFIX))
    throw new JoinBundleError('format', `Cannot read bundle: it does not start with ${JOIN_BUNDLE_PREFIX}`);
  let parsed: unknown;
  try {
    const raw = inflateRawSync(Buffer.from(compact.slice(JOIN_BUNDLE_PREFIX.length), 'base64url'));
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new JoinBundleError('format', 'Cannot read bundle: the text is damaged or incomplete');
  }
  const b = parsed as Record<string, unknown>;
  if (!b || typeof b !== 'object' || b['v'] !== 1)
    throw new JoinBundleError('format', 'Cannot read bundle: unknown bundle version');
  for (const k of STRINGS)
    if (typeof b[k] !== 'string' || b[k] === '')
      throw new JoinBundleError('format', `Cannot read bundle: field ${k} is missing`);
  const bundle = b as unknown as JoinBundle;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(bundle.branch))
    throw new JoinBundleError('format', 'Cannot read bundle: invalid branch id');
  try {
    const u = new URL(bundle.hqUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('scheme');
  } catch {
    throw new JoinBundleError('format', 'Cannot read bundle: invalid HQ URL');
  }
  let good = false;
  try {
    const pub = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: bundle.hqControlKey },
      format: 'jwk',
    });
    good = verify(null, Buffer.from(unsigned(bundle)), pub, Buffer.from(bundle.sig, 'base64'));
  } catch {
    good = false;
  }
  if (!good) throw new JoinBundleError('signature', 'The bundle is not signed by the HQ key it names');
  if (!bundle.policy || !verifyPolicy(bundle.policy, bundle.hqControlKey))
    throw new JoinBundleError('policy', 'The bundle’s residency policy is not signed by HQ');
  if (bundle.caPem !== undefined) {
    let fp = '';
    try {
      fp = caFingerprint(bundle.caPem);
    } catch {
      throw new JoinBundleError('ca', 'The bundle’s HQ CA certificate cannot be read');
    }
    if (fp !== bundle.caFingerprint)
      throw new JoinBundleError('ca', 'The bundle’s HQ CA certificate does not match its fingerprint');
  }
  return bundle;
}

/** One field of the policy: what leaves the branch for it. */
export interface PolicyFieldRow {
  cls: DataClass;
  field: string;
  rule: FieldRule;
}

/** Every class (also those with no field: nothing of them leaves) and field, in a stable order. */
export function policyRows(policy: ResidencyPolicy): PolicyFieldRow[] {
  return DATA_CLASSES.flatMap((cls) =>
    Object.entries(policy.classes[cls]?.fields ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([field, rule]) => ({ cls, field, rule })),
  );
}

export interface PolicyChange {
  cls: DataClass;
  field: string;
  before: FieldRule;
  after: FieldRule;
}

/** Per class and field, what a new policy changes (an unnamed field counts as `withheld`). */
export function policyDiff(before: ResidencyPolicy, after: ResidencyPolicy): PolicyChange[] {
  return DATA_CLASSES.flatMap((cls) => {
    const a = before.classes[cls]?.fields ?? {};
    const b = after.classes[cls]?.fields ?? {};
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((field) => {
      const was = a[field] ?? 'withheld';
      const now = b[field] ?? 'withheld';
      return was === now ? [] : [{ cls, field, before: was, after: now }];
    });
  });
}
