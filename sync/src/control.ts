import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { PolicyKeyPair } from './policy.ts';
import type { PouchDoc } from './pouch.ts';

/** HQ's Ed25519 signature over a control document (freeze, release request). */
export interface ControlSignature {
  /** base64url raw Ed25519 public key of the signer (the key branches pin). */
  signer: string;
  /** base64 signature over `controlPayload(doc)`. */
  signature: string;
}

/**
 * What is signed: the document's id, the branch it is for, a one-time nonce
 * and every field — not `_rev` or replication metadata, which change in transit.
 */
export function controlPayload(doc: Record<string, unknown>): string {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc))
    if (k === '_id' || (!k.startsWith('_') && k !== 'sig')) body[k] = v;
  return canonicalJson(body);
}

/**
 * Signs a control document for one branch with HQ's control key.
 * @example const doc = signControl({ _id: 'freeze:u1:1', type: 'freeze', username: 'u1' }, 'B01', hqKey);
 */
export function signControl<T extends { _id: string; type: string }>(
  doc: T,
  branch: string,
  key: PolicyKeyPair,
): T & { branch: string; nonce: string; sig: ControlSignature } {
  const body = { ...doc, branch, nonce: randomBytes(16).toString('base64url') };
  const signature = sign(null, Buffer.from(controlPayload(body)), createPrivateKey(key.privateKeyPem));
  return { ...body, sig: { signer: key.publicKey, signature: signature.toString('base64') } };
}

export type ControlVerdict =
  | { ok: true; nonce: string }
  | { ok: false; reason: 'unsigned' | 'signature' | 'branch' };

/** Checks a control document against the pinned HQ key and this branch's id. */
export function verifyControl(doc: PouchDoc, pinnedKey: string | undefined, branch: string): ControlVerdict {
  const sig = doc['sig'] as ControlSignature | undefined;
  if (!sig || typeof sig.signature !== 'string' || typeof doc['nonce'] !== 'string')
    return { ok: false, reason: 'unsigned' };
  if (!pinnedKey || sig.signer !== pinnedKey) return { ok: false, reason: 'signature' };
  let good = false;
  try {
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pinnedKey }, format: 'jwk' });
    good = verify(null, Buffer.from(controlPayload(doc)), pub, Buffer.from(sig.signature, 'base64'));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'signature' };
  if (doc['branch'] !== branch) return { ok: false, reason: 'branch' };
  return { ok: true, nonce: doc['nonce'] };
}
