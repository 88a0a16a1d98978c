import { type HashAlg, signedBytes } from './canonical.ts';
import { ckptId, HEAD_ID, recId } from './ids.ts';
import type { MerkleAccumulator } from './merkle.ts';
import { commitFields, newSalt, RECORD_FORMAT, recordHash } from './record-format.ts';
import { sanitizeDetails } from './sanitize.ts';
import type { AuditInput, AuditRecord, AuditSigner, Checkpoint, HeadMarker } from './types.ts';

const OUTCOMES = new Set(['success', 'failure', 'denied']);

/** Rejects input that would make an unreadable record; TypeError names the field. */
export function assertInput(input: AuditInput): void {
  for (const f of ['actor', 'action'] as const) {
    const v = input[f];
    if (typeof v !== 'string' || v.length === 0 || v.length > 200) {
      throw new TypeError(`Cannot append audit record: ${f} must be a non-empty string of at most 200 chars`);
    }
  }
  if (!OUTCOMES.has(input.outcome)) throw new TypeError(`Cannot append audit record: outcome is invalid`);
  for (const f of ['target', 'source'] as const) {
    const v = input[f];
    if (v !== undefined && (typeof v !== 'string' || v.length > 500)) {
      throw new TypeError(`Cannot append audit record: ${f} must be a string of at most 500 chars`);
    }
  }
}

/**
 * The next record after (seq-1, prevHash), in record format 2 (see
 * record-format.ts): actor, target, source and details are committed by salted
 * digests. Fields absent from the input stay absent. An SM3 record says so
 * (`alg: 'sm3'`); SHA-256 records carry no `alg`, as before.
 */
export function buildRecord(
  seq: number,
  prevHash: string,
  at: string,
  input: AuditInput,
  salt: string = newSalt(),
  alg: HashAlg = 'sha256',
): AuditRecord & { _id: string } {
  const open = {
    actor: input.actor,
    ...(input.target === undefined ? {} : { target: input.target }),
    ...(input.source === undefined ? {} : { source: input.source }),
    ...(input.details === undefined ? {} : { details: sanitizeDetails(input.details) }),
  };
  const body: Omit<AuditRecord, 'hash'> = {
    v: RECORD_FORMAT,
    ...(alg === 'sha256' ? {} : { alg }),
    seq,
    at,
    action: input.action,
    outcome: input.outcome,
    ...open,
    salt,
    commits: commitFields(salt, open, alg),
    prevHash,
  };
  return { _id: recId(seq), ...body, hash: recordHash(body as unknown as Record<string, unknown>) };
}

export function buildCheckpoint(
  acc: MerkleAccumulator,
  at: string,
  signer: AuditSigner,
  prevRoot: string | undefined,
): Checkpoint & { _id: string } {
  const body = {
    seq: acc.size,
    root: acc.root(),
    ...(prevRoot === undefined ? {} : { prevCheckpointRoot: prevRoot }),
    at,
    publicKey: signer.publicKey,
  };
  return { _id: ckptId(acc.size), ...body, signature: signer.sign(signedBytes('ckpt', body)) };
}

export interface HeadState {
  seq: number;
  hash: string;
  acc: MerkleAccumulator;
  lastCheckpointSeq: number;
  lastCheckpointRoot: string | undefined;
}

export function buildHead(
  state: HeadState,
  signer: AuditSigner,
  rev: string | undefined,
): HeadMarker & { _id: string; _rev?: string } {
  const body = {
    seq: state.seq,
    hash: state.hash,
    frontier: state.acc.frontier,
    ...(state.acc.lastAlg === 'sha256' ? {} : { alg: state.acc.lastAlg }),
    lastCheckpointSeq: state.lastCheckpointSeq,
    ...(state.lastCheckpointRoot === undefined ? {} : { lastCheckpointRoot: state.lastCheckpointRoot }),
    publicKey: signer.publicKey,
  };
  const doc = { _id: HEAD_ID, ...body, signature: signer.sign(signedBytes('head', body)) };
  return rev === undefined ? doc : { ...doc, _rev: rev };
}
