import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import { GENESIS_HASH } from './canonical.ts';
import type { HeadState } from './chain.ts';
import { CKPT_PREFIX, HEAD_ID, REC_PREFIX, seqOfId } from './ids.ts';
import { MerkleAccumulator } from './merkle.ts';
import type { AuditRecord, Checkpoint, HeadMarker } from './types.ts';

const log = createLogger('audit');
const PAGE = 1000;

export interface LoadedHead {
  state: HeadState;
  headRev: string | undefined;
  /** Set when the head disagreed with the records and the state was rebuilt from them. */
  mismatch?: { headSeq: number; lastSeq: number };
}

/** The state of a log with no records. */
export const emptyHeadState = (): HeadState => ({
  seq: 0,
  hash: GENESIS_HASH,
  acc: new MerkleAccumulator(),
  lastCheckpointSeq: 0,
  lastCheckpointRoot: undefined,
});

/**
 * Where appends continue: the signed head when it agrees with the last record
 * (O(1) via its Merkle frontier); otherwise (crash mid-write, tampering) a
 * rebuild from the records so the log stays appendable — verify() reports why.
 */
export async function loadHeadState(store: DocStore): Promise<LoadedHead> {
  const head = await store.get<HeadMarker>(HEAD_ID);
  const [last] = await store.list<AuditRecord>({ prefix: REC_PREFIX, descending: true, limit: 1 });
  const headRev = head?._rev;
  if (!head && !last) return { state: emptyHeadState(), headRev };
  if (head && last && head.seq === last.seq && head.hash === last.hash) {
    const acc = MerkleAccumulator.fromFrontier(head.seq, head.frontier, head.alg ?? 'sha256');
    const { lastCheckpointSeq, lastCheckpointRoot } = head;
    return { state: { seq: head.seq, hash: head.hash, acc, lastCheckpointSeq, lastCheckpointRoot }, headRev };
  }
  const mismatch = { headSeq: head?.seq ?? 0, lastSeq: last?.seq ?? 0 };
  log.error(`audit head disagrees with records [headSeq:${mismatch.headSeq}, lastSeq:${mismatch.lastSeq}]`);
  const state = emptyHeadState();
  let after: string | undefined;
  for (;;) {
    const page = await store.list<AuditRecord>({
      prefix: REC_PREFIX,
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const r of page) {
      const seq = seqOfId(r._id, REC_PREFIX);
      if (seq === undefined || seq <= state.seq) continue;
      // Missing records get a placeholder leaf so the tree size keeps matching seq.
      while (state.acc.size < seq - 1) state.acc.push(GENESIS_HASH);
      state.acc.push(r.hash, r.alg ?? 'sha256');
      state.seq = seq;
      state.hash = r.hash;
    }
    if (page.length < PAGE) break;
    after = page.at(-1)?._id;
  }
  const [ck] = await store.list<Checkpoint>({ prefix: CKPT_PREFIX, descending: true, limit: 1 });
  state.lastCheckpointSeq = ck?.seq ?? 0;
  state.lastCheckpointRoot = ck?.root;
  return { state, headRev, mismatch };
}
