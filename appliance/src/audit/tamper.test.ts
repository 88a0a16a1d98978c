import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { auditCommand } from '../cli/index.ts';
import { type DocStore, MemoryDocStore, openPouchStore, type StoredDoc } from '../storage/index.ts';
import type { HashAlg } from './canonical.ts';
import { ckptId, HEAD_ID, recId } from './ids.ts';
import { AuditLog } from './log.ts';
import { MerkleAccumulator } from './merkle.ts';
import { algOf, recordHash } from './record-format.ts';
import { ephemeralSigner, loadOrCreateSigningKey } from './signing-key.ts';
import { steppingClock } from './test-fixtures.ts';
import type { VerifyProblem, VerifyReport } from './types.ts';
import { verifyAuditStore } from './verify.ts';

// 310 records: checkpoints at 100/200/300 plus an unsigned tail that only the signed head protects.
const N = 310;
const MEMORY_TRIALS = 240;
const LEVELDB_TRIALS = 24;
/** The SM3 and switching chains share the verifier; fewer CLI trials keep the fast tier fast. */
const LEVELDB_TRIALS_OTHER = 8;
const seed = Number(process.env['TAMPER_SEED'] ?? Date.now() % 2 ** 31);

function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const rand = rng(seed);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;

type Doc = StoredDoc<Record<string, unknown>>;
type Locator = (p: VerifyProblem) => boolean;
interface Tamper {
  name: string;
  locate: Locator;
}

const at =
  (...seqs: number[]): Locator =>
  (p) =>
    p.seq !== undefined && seqs.includes(p.seq);
const atOrAfter =
  (k: number): Locator =>
  (p) =>
    (p.seq !== undefined && p.seq >= k) || p.id === HEAD_ID;
const onHead: Locator = (p) => p.id === HEAD_ID;

async function must(store: DocStore, id: string): Promise<Doc> {
  const d = await store.get<Record<string, unknown>>(id);
  assert.ok(d, `fixture has ${id}`);
  return d;
}
async function del(store: DocStore, id: string): Promise<void> {
  await store.remove(id, (await must(store, id))._rev);
}
/** Writes body at id whether or not a doc is there (the attacker ignores the append-only rule). */
async function overwrite(store: DocStore, id: string, body: Record<string, unknown>): Promise<void> {
  const cur = await store.get<Record<string, unknown>>(id);
  const clean = Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('_')));
  await store.put(cur ? { ...clean, _id: id, _rev: cur._rev } : { ...clean, _id: id });
}

const FIELDS: Array<[string, (v: unknown) => unknown]> = [
  ['actor', () => 'mallory'],
  ['action', () => 'user.read'],
  ['target', () => 'customer:forged'],
  ['outcome', (v) => (v === 'success' ? 'denied' : 'success')],
  ['at', () => '2024-12-31T23:59:59.000Z'],
  ['source', () => '203.0.113.66'],
  ['details', () => ({ note: 'nothing to see' })],
  ['extra', () => 'added field'],
  ['alg', (v) => (v === 'sm3' ? 'sha256' : 'sm3')],
];

/** Rewrites records from..N so the chain links again (a strong attacker without the key). */
async function relinkFrom(store: DocStore, from: number, last: number, rehashFirst: boolean): Promise<void> {
  let prev = from > 1 ? String((await must(store, recId(from - 1)))['hash']) : '0'.repeat(64);
  for (let s = from; s <= last; s++) {
    const d = await must(store, recId(s));
    if (s === from && !rehashFirst) {
      prev = String(d['hash']);
      continue;
    }
    const body: Record<string, unknown> = { ...d, prevHash: prev };
    body['hash'] = recordHash(body);
    await overwrite(store, recId(s), body);
    prev = String(body['hash']);
  }
}

/** Rolls the head back/forward "consistently": seq, hash and frontier match the records; the old signature stays. */
async function forgeHead(store: DocStore, last: number): Promise<void> {
  const acc = new MerkleAccumulator();
  let hash = '0'.repeat(64);
  for (let s = 1; s <= last; s++) {
    const d = await must(store, recId(s));
    hash = String(d['hash']);
    acc.push(hash, algOf(d) ?? 'sha256');
  }
  const head = await must(store, HEAD_ID);
  const lastCk = Math.floor(last / 100) * 100;
  await overwrite(store, HEAD_ID, {
    ...head,
    seq: last,
    hash,
    frontier: acc.frontier,
    lastCheckpointSeq: lastCk,
  });
}

const attacks: Record<string, (s: DocStore) => Promise<Tamper>> = {
  async editField(s) {
    const k = int(1, N);
    const [field, change] = pick(FIELDS);
    const d = await must(s, recId(k));
    await overwrite(s, recId(k), { ...d, [field]: change(d[field]) });
    return { name: `edit ${field} of ${k}`, locate: at(k) };
  },
  async editFieldRehash(s) {
    const k = int(1, N);
    const [field, change] = pick(FIELDS);
    const d = await must(s, recId(k));
    const body = { ...d, [field]: change(d[field]) };
    body['hash'] = recordHash(body);
    await overwrite(s, recId(k), body);
    return { name: `edit ${field} of ${k} with its hash recomputed`, locate: at(k, k + 1) };
  },
  async editRelinkChain(s) {
    const k = int(1, N);
    const d = await must(s, recId(k));
    await overwrite(s, recId(k), { ...d, actor: 'mallory' });
    await relinkFrom(s, k, N, true);
    if (rand() < 0.7) await forgeHead(s, N);
    return { name: `edit ${k}, relink the chain to the end and forge the head`, locate: atOrAfter(k) };
  },
  async deleteRecord(s) {
    const k = int(1, N);
    await del(s, recId(k));
    return { name: `delete record ${k}`, locate: at(k) };
  },
  async swapRecords(s) {
    const i = int(1, N - 1);
    const j = int(i + 1, N);
    const a = await must(s, recId(i));
    const b = await must(s, recId(j));
    await overwrite(s, recId(i), b);
    await overwrite(s, recId(j), a);
    return { name: `swap records ${i} and ${j}`, locate: at(i, j) };
  },
  async insertForged(s) {
    const variant = int(0, 2);
    if (variant === 0) {
      const k = int(1, N - 1);
      const src = await must(s, recId(k));
      await s.create({ ...src, _id: `${recId(k)}a`, _rev: undefined, actor: 'mallory' });
      return { name: `insert a forged record beside ${k}`, locate: (p) => p.kind === 'unexpected_doc' };
    }
    if (variant === 1) {
      // Shift records p..N up by one, put a forged record at p, relink everything and forge the head.
      const p = int(1, N);
      for (let q = N; q >= p; q--) {
        await overwrite(s, recId(q + 1), { ...(await must(s, recId(q))), seq: q + 1 });
      }
      await overwrite(s, recId(p), {
        ...(await must(s, recId(p))),
        seq: p,
        actor: 'mallory',
        action: 'user.updated',
      });
      await relinkFrom(s, p, N + 1, true);
      await forgeHead(s, N + 1);
      return { name: `insert a forged record at ${p} shifting the rest`, locate: atOrAfter(p) };
    }
    const last = await must(s, recId(N));
    const body: Record<string, unknown> = { ...last, seq: N + 1, actor: 'mallory', prevHash: last['hash'] };
    body['hash'] = recordHash(body);
    const { _id, _rev, ...rest } = body as Doc;
    await s.create({ ...rest, _id: recId(N + 1) });
    if (rand() < 0.5) await forgeHead(s, N + 1);
    return {
      name: 'append a forged, correctly chained record at the tail',
      locate: (p) => p.seq === N + 1 || onHead(p),
    };
  },
  async truncateTail(s) {
    const k = int(1, 120);
    for (let q = N; q > N - k; q--) await del(s, recId(q));
    const dropCkpts = rand() < 0.5;
    if (dropCkpts) for (const c of [100, 200, 300]) if (c > N - k) await del(s, ckptId(c));
    if (rand() < 0.2) await del(s, HEAD_ID);
    else await forgeHead(s, N - k);
    return {
      name: `truncate the last ${k} records${dropCkpts ? ' and their checkpoints' : ''}, head rolled back`,
      locate: (p) => p.kind === 'truncated' || onHead(p),
    };
  },
  async rewriteCheckpoint(s) {
    const c = pick([100, 200, 300]);
    const ck = await must(s, ckptId(c));
    const variant = int(0, 3);
    if (variant === 0) await overwrite(s, ckptId(c), { ...ck, root: 'ab'.repeat(32) });
    if (variant === 1) await overwrite(s, ckptId(c), { ...ck, at: '2020-01-01T00:00:00.000Z' });
    if (variant === 2) {
      const mallory = await ephemeralSigner();
      const { signature, ...body } = ck;
      const { signedBytes } = await import('./canonical.ts');
      const forged = { ...body, root: 'cd'.repeat(32), publicKey: mallory.publicKey };
      await overwrite(s, ckptId(c), { ...forged, signature: mallory.sign(signedBytes('ckpt', forged)) });
    }
    if (variant === 3) await del(s, ckptId(c));
    const next = c + 100 <= 300 ? c + 100 : c;
    return { name: `rewrite checkpoint ${c} (variant ${variant})`, locate: at(c, next) };
  },
};

/**
 * The chain's hash algorithms: all SHA-256 (classic suite), all SM3 (gm
 * suite), or SHA-256 switching to SM3 at record SWITCH_AT (a suite migration
 * in the middle of the log, between checkpoints 100 and 200).
 */
type ChainMode = 'sha256' | 'sm3' | 'sha256→sm3';
const CHAIN_MODES: readonly ChainMode[] = ['sha256', 'sm3', 'sha256→sm3'];
const SWITCH_AT = 151;
const algAt = (mode: ChainMode, seq: number): HashAlg =>
  mode === 'sm3' || (mode === 'sha256→sm3' && seq >= SWITCH_AT) ? 'sm3' : 'sha256';

const leveldbTrials = (mode: ChainMode) => (mode === 'sha256' ? LEVELDB_TRIALS : LEVELDB_TRIALS_OTHER);

async function buildBase(
  store: DocStore,
  signer: Awaited<ReturnType<typeof ephemeralSigner>>,
  mode: ChainMode,
): Promise<void> {
  let next = 1;
  const audit = await AuditLog.open(store, {
    signer,
    now: steppingClock(),
    checkpointIntervalMs: 0,
    hashAlg: () => algAt(mode, next),
  });
  const outcomes = ['success', 'failure', 'denied'] as const;
  for (let i = 1; i <= N; i++, next++) {
    await audit.append({
      actor: `u${i % 7}`,
      action: pick(['customer.read', 'user.updated', 'ticket.created', 'auth.failed']),
      ...(i % 5 ? { target: `customer:c${i}` } : {}),
      outcome: outcomes[i % 3] as (typeof outcomes)[number],
      ...(i % 4 ? { source: `10.0.${i % 255}.1` } : {}),
      ...(i % 2 ? { details: { n: i, fields: ['phone'] } } : {}),
    });
  }
  await audit.close();
}

function located(report: VerifyReport, t: Tamper): boolean {
  return !report.ok && report.problems.some(t.locate);
}

for (const mode of CHAIN_MODES) {
  describe(`audit chain (${mode})`, () => {
    let baseDocs: Doc[] = [];
    let publicKey = '';
    let levelDir = '';
    const counts: Record<string, number> = {};

    before(async () => {
      const signer = await ephemeralSigner();
      const mem = new MemoryDocStore('audit');
      await buildBase(mem, signer, mode);
      baseDocs = await mem.list<Record<string, unknown>>();
      publicKey = signer.publicKey;
      levelDir = await mkdtemp(join(tmpdir(), 'bl-audit-tamper-'));
      const base = join(levelDir, 'base');
      const store = await openPouchStore(join(base, 'db'), 'audit');
      await buildBase(store, await loadOrCreateSigningKey(base), mode);
      await store.close();
    });

    after(async () => {
      if (levelDir) await rm(levelDir, { recursive: true, force: true });
    });

    async function memoryCopy(): Promise<MemoryDocStore> {
      const s = new MemoryDocStore('audit');
      for (const { _rev, ...d } of baseDocs) await s.create(d);
      return s;
    }

    test('the untampered log verifies clean in memory and in LevelDB (no false alarms)', async () => {
      const recs = baseDocs.filter((d) => d._id.startsWith('rec:'));
      assert.equal(recs.length, N);
      assert.deepEqual(
        recs.map((d) => algOf(d)),
        recs.map((d) => algAt(mode, Number(d['seq']))),
        'each record names its hash algorithm',
      );
      const report = await verifyAuditStore(await memoryCopy(), { publicKey });
      assert.deepEqual([report.ok, report.records, report.checkpoints, report.problems], [true, N, 3, []]);
      const lines: string[] = [];
      const code = await auditCommand(['verify', '--data-dir', join(levelDir, 'base')], {
        dataDir: '/nonexistent',
        out: (s) => lines.push(s),
        err: () => {},
      });
      assert.equal(code, 0);
      assert.match(lines.join('\n'), /^OK: audit log verified \(310 records, 3 checkpoints/);
    });

    test(`verify() catches and locates each of ${MEMORY_TRIALS} random tampers of an in-memory copy (seed ${seed})`, async () => {
      const names = Object.keys(attacks);
      const missed: string[] = [];
      for (let i = 0; i < MEMORY_TRIALS; i++) {
        const kind = names[i % names.length] as string;
        const store = await memoryCopy();
        const t = await (attacks[kind] as (s: DocStore) => Promise<Tamper>)(store);
        const report = await verifyAuditStore(store, { publicKey });
        counts[kind] = (counts[kind] ?? 0) + 1;
        if (!located(report, t)) missed.push(`${t.name}: ${JSON.stringify(report.problems)}`);
      }
      assert.deepEqual(missed, [], `seed ${seed}`);
    });

    test(`audit verify (CLI, real LevelDB) exits 1 and names the place for each of ${leveldbTrials(mode)} random tampers`, async () => {
      const names = Object.keys(attacks);
      const missed: string[] = [];
      for (let i = 0; i < leveldbTrials(mode); i++) {
        const kind = names[(i * 5 + 3) % names.length] as string;
        const dir = join(levelDir, `trial-${i}`);
        await cp(join(levelDir, 'base'), dir, { recursive: true });
        const store = await openPouchStore(join(dir, 'db'), 'audit');
        const t = await (attacks[kind] as (s: DocStore) => Promise<Tamper>)(store);
        await store.close();
        const out: string[] = [];
        const code = await auditCommand(['verify', '--data-dir', dir, '--json'], {
          dataDir: dir,
          out: (s) => out.push(s),
          err: () => {},
        });
        const report = JSON.parse(out.join('')) as VerifyReport;
        if (code !== 1 || !located(report, t))
          missed.push(`${t.name}: exit ${code} ${JSON.stringify(report.problems)}`);
        await rm(dir, { recursive: true, force: true });
      }
      assert.deepEqual(missed, [], `seed ${seed}`);
      process.stderr.write(`tamper trials per kind (memory): ${JSON.stringify(counts)}\n`);
    });
  });
}
