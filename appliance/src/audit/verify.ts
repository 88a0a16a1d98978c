import type { DocStore, StoredDoc } from '../storage/index.ts';
import { GENESIS_HASH, signedBytes } from './canonical.ts';
import { CKPT_PREFIX, HEAD_ID, REC_PREFIX, SETTINGS_ID, seqOfId } from './ids.ts';
import { MerkleAccumulator } from './merkle.ts';
import { algOf, commitmentProblems, isFormat2, recordHash } from './record-format.ts';
import { verifyDetached } from './signature.ts';
import type { VerifyProblem, VerifyReport } from './types.ts';

type Doc = StoredDoc<Record<string, unknown>>;
const PAGE = 500;

export interface VerifyOptions {
  /** Trusted base64 Ed25519 public key; without it the key embedded in the documents is used (weaker). */
  publicKey?: string;
  /**
   * The log is being appended to: read the head first and check only what it
   * covers, so appends racing the scan are not mistaken for forged records.
   */
  live?: boolean;
  /**
   * The store holds HQ's policy-shaped copy (the witness): format 2 records
   * carry no salt and are checked through their hash and the `openings` they
   * ship; format 1 records marked `shaped` are checked for chain, order and
   * checkpoints only (their content was shaped after it was hashed).
   */
  projected?: boolean;
}

/** Problems with a record's content against its hash; undefined when a shaped format 1 copy cannot be checked. */
function contentProblems(doc: Doc, projected: boolean): string[] | undefined {
  if (projected && !isFormat2(doc)) return doc['shaped'] === true ? undefined : hashProblem(doc);
  if (!isFormat2(doc)) return hashProblem(doc);
  const { openings, ...body } = doc;
  const record = projected ? body : doc;
  const opened = openings !== null && typeof openings === 'object' ? openings : {};
  return [
    ...commitmentProblems(record, projected ? { openings: opened as Record<string, unknown> } : {}),
    ...hashProblem(record),
  ];
}

function hashProblem(doc: Record<string, unknown>): string[] {
  if (!algOf(doc)) return [`names an unknown hash algorithm ${JSON.stringify(doc['alg'])}`];
  return recordHash(doc) === doc['hash'] ? [] : ['does not match its hash'];
}

/** Walks the store in id order; `ckpt:` and `meta:` sort before `rec:`, so checkpoints are known first. */
async function* allDocs(store: DocStore): AsyncGenerator<Doc> {
  let after: string | undefined;
  for (;;) {
    const page = await store.list<Record<string, unknown>>(
      after === undefined ? { limit: PAGE } : { limit: PAGE, after },
    );
    for (const d of page) yield d;
    if (page.length < PAGE) return;
    after = page.at(-1)?._id;
  }
}

class Verifier {
  problems: VerifyProblem[] = [];
  checkpoints = new Map<number, Doc>();
  head: Doc | undefined;
  records = 0;
  /** Records whose content could not be checked (shaped format 1 copies at HQ). */
  unchecked = 0;
  projected = false;
  lastSeq = 0;
  lastHash: string = GENESIS_HASH;
  acc: MerkleAccumulator | undefined = new MerkleAccumulator();
  key: string | undefined;

  /** Falls back to the key the documents name when the caller has no trusted one. */
  pickKey(current: VerifyReport['keySource']): VerifyReport['keySource'] {
    if (this.key) return current;
    const embedded = [this.head, ...this.checkpoints.values()].find(
      (d) => typeof d?.['publicKey'] === 'string',
    );
    this.key = embedded?.['publicKey'] as string | undefined;
    return this.key ? 'embedded' : 'none';
  }

  add(kind: VerifyProblem['kind'], where: { seq?: number; id?: string }, message: string): void {
    this.problems.push({ kind, ...where, message });
  }

  async signed(kind: 'ckpt' | 'head', doc: Doc, seq: number | undefined): Promise<void> {
    const where = seq === undefined ? { id: doc._id } : { seq, id: doc._id };
    if (!this.key) return this.add('signature_invalid', where, `No public key to verify ${doc._id}`);
    if (doc['publicKey'] !== this.key)
      this.add('signature_invalid', where, `${doc._id} names a different signing key`);
    else if (!(await verifyDetached(signedBytes(kind, doc), doc['signature'], this.key))) {
      this.add('signature_invalid', where, `Signature of ${doc._id} does not verify`);
    }
  }

  record(doc: Doc, seq: number): void {
    const where = { seq, id: doc._id };
    this.records++;
    const expected = this.lastSeq + 1;
    const contiguous = seq === expected;
    if (!contiguous) {
      this.add('gap', { seq: expected }, `Records ${expected}..${seq - 1} are missing`);
      this.acc = undefined;
    }
    if (doc['seq'] !== seq) {
      this.add('reordered', where, `Record stored at seq ${seq} carries seq ${String(doc['seq'])}`);
    }
    const content = contentProblems(doc, this.projected);
    if (content === undefined) this.unchecked++;
    for (const p of content ?? []) this.add('hash_mismatch', where, `Record ${seq} ${p}`);
    if (contiguous && doc['prevHash'] !== this.lastHash) {
      this.add('chain_break', where, `Record ${seq} does not link to record ${seq - 1}`);
    }
    this.lastSeq = seq;
    this.lastHash = String(doc['hash']);
    this.acc?.push(
      /^[0-9a-f]{64}$/.test(this.lastHash) ? this.lastHash : '0'.repeat(64),
      algOf(doc) ?? 'sha256',
    );
    const ckpt = this.checkpoints.get(seq);
    if (ckpt && this.acc && this.acc.root() !== ckpt['root']) {
      this.add(
        'root_mismatch',
        { seq, id: ckpt._id },
        `Checkpoint ${seq} root differs from the records' Merkle root`,
      );
    }
  }

  async finishCheckpoints(): Promise<void> {
    let prevRoot: unknown;
    for (const [seq, doc] of [...this.checkpoints].sort((a, b) => a[0] - b[0])) {
      if (doc['seq'] !== seq)
        this.add(
          'reordered',
          { seq, id: doc._id },
          `Checkpoint stored at ${seq} claims seq ${String(doc['seq'])}`,
        );
      await this.signed('ckpt', doc, seq);
      if (doc['prevCheckpointRoot'] !== prevRoot) {
        this.add(
          'chain_break',
          { seq, id: doc._id },
          `Checkpoint ${seq} does not link to the previous checkpoint`,
        );
      }
      if (seq > this.lastSeq)
        this.add(
          'truncated',
          { seq, id: doc._id },
          `Checkpoint ${seq} covers records beyond the last record ${this.lastSeq}`,
        );
      prevRoot = doc['root'];
    }
  }

  async finishHead(): Promise<void> {
    const head = this.head;
    if (!head) {
      if (this.records > 0) this.add('head_mismatch', { id: HEAD_ID }, 'Head marker is missing');
      return;
    }
    await this.signed('head', head, undefined);
    const seq = head['seq'];
    if (typeof seq !== 'number') return this.add('head_mismatch', { id: HEAD_ID }, 'Head marker has no seq');
    if (seq > this.lastSeq) {
      this.add(
        'truncated',
        { seq: this.lastSeq + 1, id: HEAD_ID },
        `Head says ${seq} records, the log ends at ${this.lastSeq}`,
      );
    } else if (seq < this.lastSeq) {
      this.add(
        'head_mismatch',
        { seq: seq + 1, id: HEAD_ID },
        `Records ${seq + 1}..${this.lastSeq} lie beyond the signed head`,
      );
    } else if (head['hash'] !== this.lastHash) {
      this.add('head_mismatch', { seq, id: HEAD_ID }, `Head hash differs from record ${seq}`);
    } else if (this.acc && JSON.stringify(head['frontier']) !== JSON.stringify(this.acc.frontier)) {
      this.add('root_mismatch', { seq, id: HEAD_ID }, 'Head Merkle frontier differs from the records');
    } else if (this.acc && (head['alg'] ?? 'sha256') !== this.acc.lastAlg) {
      this.add('head_mismatch', { seq, id: HEAD_ID }, `Head hash algorithm differs from record ${seq}`);
    }
    const lastCk = head['lastCheckpointSeq'];
    if (typeof lastCk === 'number' && lastCk > 0 && !this.checkpoints.has(lastCk)) {
      this.add(
        'truncated',
        { seq: lastCk, id: HEAD_ID },
        `Checkpoint ${lastCk} named by the head is missing`,
      );
    }
  }
}

/**
 * Checks the whole log: record hashes, the chain, gaps, order, checkpoint
 * signatures and Merkle roots, and the signed head (tail truncation/extension).
 */
export async function verifyAuditStore(store: DocStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const v = new Verifier();
  let keySource: VerifyReport['keySource'] = options.publicKey ? 'trusted' : 'none';
  v.key = options.publicKey;
  v.projected = options.projected === true;
  let recordsStarted = false;
  const snapshot = options.live ? await store.get<Record<string, unknown>>(HEAD_ID) : undefined;
  const limit = snapshot && typeof snapshot['seq'] === 'number' ? snapshot['seq'] : Number.POSITIVE_INFINITY;
  v.head = snapshot;
  for await (const doc of allDocs(store)) {
    const id = doc._id;
    const recSeq = seqOfId(id, REC_PREFIX);
    if ((recSeq ?? seqOfId(id, CKPT_PREFIX) ?? 0) > limit) continue;
    if (recSeq !== undefined) {
      if (!recordsStarted) {
        recordsStarted = true;
        keySource = v.pickKey(keySource);
      }
      v.record(doc, recSeq);
      continue;
    }
    const ckSeq = seqOfId(id, CKPT_PREFIX);
    if (ckSeq !== undefined && !recordsStarted) v.checkpoints.set(ckSeq, doc);
    else if (id === HEAD_ID) v.head = snapshot ?? doc;
    else if (id !== SETTINGS_ID) v.add('unexpected_doc', { id }, `Unexpected document ${id}`);
  }
  if (!recordsStarted) keySource = v.pickKey(keySource);
  await v.finishCheckpoints();
  await v.finishHead();
  return {
    ok: v.problems.length === 0,
    records: v.records,
    checkpoints: v.checkpoints.size,
    lastSeq: v.lastSeq,
    keySource,
    problems: v.problems,
    ...(v.projected ? { unchecked: v.unchecked } : {}),
  };
}
