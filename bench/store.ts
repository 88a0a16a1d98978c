// Store benchmark: stock PouchDB (LevelDB, no fsync) against our durable,
// group-committed, field-encrypting store doing the same single-doc puts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedDocStore, openCrypto, openPouchStore } from '../appliance/src/storage/index.ts';

interface PlainPouch {
  put(doc: object): Promise<unknown>;
  info(): Promise<unknown>;
  close(): Promise<void>;
}
const PouchDB = createRequire(import.meta.url)('pouchdb') as new (name: string) => PlainPouch;

const DOCS = 2000;
const IN_FLIGHT = 50;

function doc(prefix: string, i: number) {
  const n = String(i).padStart(5, '0');
  return {
    _id: `${prefix}:${n}`,
    name: `Customer ${n}`,
    phone: `139000${n}`,
    idCard: `1101051990030${n}`,
    tier: 'gold',
    createdAt: '2025-01-01T00:00:00Z',
  };
}

async function docsPerSecond(put: (i: number) => Promise<unknown>, count: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await put(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return Math.round(count / seconds);
}

export async function run(): Promise<Record<string, number | string>> {
  const root = mkdtempSync(join(tmpdir(), 'branchline-bench-store-'));
  try {
    const plain = new PouchDB(join(root, 'plain'));
    await plain.info();
    await docsPerSecond((i) => plain.put(doc('warm', i)), 200);
    // Best of two rounds: single-disk timings on a shared machine are noisy.
    const plainRate = Math.max(
      await docsPerSecond((i) => plain.put(doc('a', i)), DOCS),
      await docsPerSecond((i) => plain.put(doc('b', i)), DOCS),
    );
    await plain.close();

    const crypto = await openCrypto(join(root, 'data'));
    const store = new EncryptedDocStore(await openPouchStore(join(root, 'db'), 'bench'), {
      crypto,
      fields: ['name', 'phone', 'idCard'],
    });
    await docsPerSecond((i) => store.put(doc('warm', i)), 200);
    const durableRate = Math.max(
      await docsPerSecond((i) => store.put(doc('a', i)), DOCS),
      await docsPerSecond((i) => store.put(doc('b', i)), DOCS),
    );
    await store.close();
    crypto.close();

    return {
      bench: 'store',
      docs: DOCS,
      in_flight: IN_FLIGHT,
      plain_pouchdb_docs_per_s: plainRate,
      durable_encrypted_docs_per_s: durableRate,
      ratio_vs_pouchdb: Math.round((durableRate / plainRate) * 100) / 100,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
