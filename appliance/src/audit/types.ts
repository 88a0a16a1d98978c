/** How an audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** What a caller hands to `append()`. */
export interface AuditInput {
  /** User id, or 'system'. */
  actor: string;
  /** `context.verb` style name, e.g. `customer.read`, `user.frozen`. */
  action: string;
  target?: string;
  outcome: AuditOutcome;
  /** Client IP address. */
  source?: string;
  /** Small JSON; secret-looking keys are dropped before storing. */
  details?: Record<string, unknown>;
}

/**
 * One stored audit record. `hash` is SHA-256 over the canonical JSON (sorted
 * keys) of every other field, `prevHash` included, so any edit shows. In
 * format 2 (`v: 2`) actor, target, source and details enter the hash through
 * their salted `commits` instead (see record-format.ts); `salt` never leaves the branch.
 */
export interface AuditRecord {
  /** Record format; absent on format 1 records. */
  v?: 2;
  /** Hash algorithm of this record and its commitments; absent = SHA-256 (gm suite: `sm3`). */
  alg?: 'sha256' | 'sm3';
  seq: number;
  /** UTC ISO-8601. */
  at: string;
  actor: string;
  action: string;
  target?: string;
  outcome: AuditOutcome;
  source?: string;
  details?: Record<string, unknown>;
  /** Format 2: base64url per-record salt the commitments are keyed from (branch only). */
  salt?: string;
  /** Format 2: field → base64url commitment, for each of actor/target/source/details present. */
  commits?: Record<string, string>;
  prevHash: string;
  hash: string;
}

/** A signed Merkle checkpoint over record hashes 1..seq (RFC 6962 tree). */
export interface Checkpoint {
  seq: number;
  root: string;
  prevCheckpointRoot?: string;
  at: string;
  /** Base64 Ed25519 signature over the canonical JSON of the other fields. */
  signature: string;
  publicKey: string;
}

/**
 * The durable head marker `meta:head`, rewritten with every append and signed,
 * so that cutting records off the tail or adding forged ones is visible even
 * past the last checkpoint.
 */
export interface HeadMarker {
  seq: number;
  hash: string;
  /** Roots of the perfect Merkle subtrees over 1..seq (largest first); resumes the tree after restart. */
  frontier: string[];
  /** Algorithm of record `seq` (the last Merkle leaf); absent = SHA-256. */
  alg?: 'sha256' | 'sm3';
  lastCheckpointSeq: number;
  lastCheckpointRoot?: string;
  signature: string;
  publicKey: string;
}

export type ProblemKind =
  | 'hash_mismatch'
  | 'chain_break'
  | 'gap'
  | 'reordered'
  | 'signature_invalid'
  | 'root_mismatch'
  | 'truncated'
  | 'head_mismatch'
  | 'unexpected_doc';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The record sequence number the problem sits at, when it has one. */
  seq?: number;
  /** The stored document id involved. */
  id?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  checkpoints: number;
  lastSeq: number;
  /** Where the trusted public key came from: the key file / caller, or (weaker) the documents themselves. */
  keySource: 'trusted' | 'embedded' | 'none';
  problems: VerifyProblem[];
  /** Projected copies only: records whose content cannot be checked (format 1 records shaped by policy). */
  unchecked?: number;
}

export interface AuditSettings {
  /** A checkpoint is signed after this many records. */
  checkpointEvery: number;
  /** How long records must be kept (read by retention/sync; records are never pruned locally yet). */
  retentionDays: number;
  /** Cap on rows in one export. */
  exportMaxRows: number;
}

export interface AuditQuery {
  actor?: string;
  /** Exact action, or a prefix ending in `*` (`user.*`). */
  action?: string;
  target?: string;
  outcome?: AuditOutcome;
  /** Inclusive UTC ISO lower bound on `at`. */
  from?: string;
  /** Exclusive UTC ISO upper bound on `at`. */
  to?: string;
  limit?: number;
  /** Cursor: only records after this seq (in the listing direction). */
  after?: number;
  descending?: boolean;
}

export interface SearchResult {
  records: AuditRecord[];
  /** Pass as `after` to get the next page; absent at the end. */
  next?: number;
}

/** The caller of a settings change; structurally a subset of the HTTP Principal. */
export interface AuditPrincipal {
  userId: string;
  permissions: ReadonlySet<string>;
}

/** Signs and verifies with the appliance's Ed25519 audit key. */
export interface AuditSigner {
  /** Base64 public key (for HQ witness and verification). */
  readonly publicKey: string;
  sign(message: Uint8Array): string;
}
