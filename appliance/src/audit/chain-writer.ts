import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import type { HashAlg } from './canonical.ts';
import { buildCheckpoint, buildHead, buildRecord, type HeadState } from './chain.ts';
import { AuditError } from './errors.ts';
import { emptyHeadState, type LoadedHead, loadHeadState } from './head-state.ts';
import { MerkleAccumulator } from './merkle.ts';
import type { AuditInput, AuditRecord, AuditSigner, Checkpoint } from './types.ts';

const log = createLogger('audit');
const MAX_BATCH = 256;

interface Pending {
  input: AuditInput;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

/**
 * AuditLog's write side (see AuditLog for the chain and group commit): the
 * head state, the queue of pending appends and the serial chain that writes them.
 */
export class ChainWriter {
  readonly #store: DocStore;
  readonly #signer: AuditSigner;
  readonly #now: () => Date;
  readonly #bus: EventBus | undefined;
  readonly #checkpointEvery: () => number;
  readonly #hashAlg: () => HashAlg;
  #state: HeadState = emptyHeadState();
  #headRev: string | undefined;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    store: DocStore,
    options: {
      signer: AuditSigner;
      now: () => Date;
      bus: EventBus | undefined;
      /** Read at each flush, so a settings change applies to the next batch. */
      checkpointEvery: () => number;
      /** Read at each flush: a suite migration switches the chain at the next record. */
      hashAlg: () => HashAlg;
    },
  ) {
    this.#store = store;
    this.#signer = options.signer;
    this.#now = options.now;
    this.#bus = options.bus;
    this.#checkpointEvery = options.checkpointEvery;
    this.#hashAlg = options.hashAlg;
  }

  get lastSeq(): number {
    return this.#state.seq;
  }

  async load(): Promise<LoadedHead['mismatch']> {
    const loaded = await loadHeadState(this.#store);
    this.#state = loaded.state;
    this.#headRev = loaded.headRev;
    return loaded.mismatch;
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(op);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Queues one checked record; resolves after it is durably stored. */
  append(input: AuditInput): Promise<AuditRecord> {
    const p = new Promise<AuditRecord>((resolve, reject) => this.#pending.push({ input, resolve, reject }));
    this.#scheduleFlush();
    return p;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void this.#serial(async () => {
      this.#flushScheduled = false;
      const batch = this.#pending.splice(0, MAX_BATCH);
      if (this.#pending.length > 0) this.#scheduleFlush();
      if (batch.length > 0) await this.#flush(batch);
    });
  }

  async #flush(batch: Pending[]): Promise<void> {
    const s = this.#state;
    const acc = MerkleAccumulator.fromFrontier(s.seq, s.acc.frontier, s.acc.lastAlg);
    const next: HeadState = { ...s, acc };
    const at = this.#now().toISOString();
    const alg = this.#hashAlg();
    const records = batch.map(({ input }) => {
      const r = buildRecord(next.seq + 1, next.hash, at, input, undefined, alg);
      next.seq = r.seq;
      next.hash = r.hash;
      acc.push(r.hash, alg);
      return r;
    });
    const ckpt =
      next.seq - next.lastCheckpointSeq >= this.#checkpointEvery()
        ? this.#nextCheckpoint(next, at)
        : undefined;
    try {
      await this.#commit(next, [...records, ...(ckpt ? [ckpt] : [])]);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const { _id, ...rec } = records[i] as AuditRecord & { _id: string };
      p.resolve(rec);
    });
    if (ckpt) this.#announce(ckpt);
  }

  #nextCheckpoint(next: HeadState, at: string): Checkpoint & { _id: string } {
    const ckpt = buildCheckpoint(next.acc, at, this.#signer, next.lastCheckpointRoot);
    next.lastCheckpointSeq = ckpt.seq;
    next.lastCheckpointRoot = ckpt.root;
    return ckpt;
  }

  /** Writes docs plus the new signed head in one durable commit; on any failure reloads from the store. */
  async #commit(next: HeadState, docs: object[]): Promise<void> {
    const head = buildHead(next, this.#signer, this.#headRev);
    const results = await this.#store.bulkPut([...docs, head] as Array<{ _id: string }>);
    const failed = results.find((r) => 'error' in r);
    if (failed) {
      await this.load().catch((err: unknown) => log.error('audit reload failed', { err }));
      throw new AuditError('AUDIT_WRITE_FAILED', `Audit write failed [id:${failed.id}]`, { status: 500 });
    }
    this.#headRev = (results.at(-1) as { rev: string }).rev;
    this.#state = next;
  }

  #announce(ckpt: Checkpoint): void {
    void this.#bus?.publish(
      'audit.checkpoint_signed',
      { seq: ckpt.seq, root: ckpt.root },
      { actor: 'system' },
    );
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.#serial(async () => {
      const s = this.#state;
      if (s.seq === s.lastCheckpointSeq) return undefined;
      const next: HeadState = {
        ...s,
        acc: MerkleAccumulator.fromFrontier(s.seq, s.acc.frontier, s.acc.lastAlg),
      };
      const { _id, ...ckpt } = this.#nextCheckpoint(next, this.#now().toISOString());
      await this.#commit(next, [{ _id, ...ckpt }]);
      this.#announce(ckpt);
      return ckpt;
    });
  }

  /** Resolves once every queued append has been written or has failed. */
  async drain(): Promise<void> {
    await this.#serial(async () => undefined);
    while (this.#pending.length > 0 || this.#flushScheduled) await this.#serial(async () => undefined);
  }
}
