// Branch → HQ docs/s: our Replicator vs plain PouchDB replication of the same docs, and through a 50 ms RTT proxy.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FaultProxy, PouchDB, type PouchDb, Replicator, startHqCouch } from '../sync/src/index.ts';
import { makeBranch } from '../tests/support/sync-fixture.ts';

const N = Number(process.env['BENCH_SYNC_DOCS'] ?? 3000);

async function timed(local: PouchDb, url: string, target: PouchDb): Promise<number> {
  const r = new Replicator({ name: 'bench', local, remoteUrl: url, direction: 'push', batchSize: 500 });
  const t0 = performance.now();
  r.start();
  while ((await target.info()).doc_count < N) await new Promise((res) => setTimeout(res, 20));
  const s = (performance.now() - t0) / 1000;
  await r.close();
  return N / s;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-bench-sync-'));
  const hq = await startHqCouch({ dataDir: dir });
  const branch = await makeBranch('BENCH');
  const proxy = await FaultProxy.start({ port: hq.port }, { delayMs: 25 });
  try {
    for (let i = 0; i < N; i++) {
      await branch.projector.projectRecord('tickets', {
        id: `t${i}`,
        status: 'open',
        priority: 'normal',
        customerName: `C ${i}`,
        subject: `subject ${i}`,
      });
    }
    const docs = (await branch.dbs.tickets.allDocs({ include_docs: true })).rows.map((r) => {
      const { _rev, ...d } = r.doc as Record<string, unknown>;
      return d;
    });
    const plainLocal = new PouchDB(path.join(dir, 'plain-local'));
    await plainLocal.bulkDocs(docs);
    const t0 = performance.now();
    await PouchDB.replicate(plainLocal, `${hq.url}/plain`, { batch_size: 500 });
    const plain = N / ((performance.now() - t0) / 1000);
    await plainLocal.close();
    const ours = await timed(branch.dbs.tickets, `${hq.url}/b-BENCH-tickets`, hq.db('b-BENCH-tickets'));
    const viaProxy = await timed(branch.dbs.tickets, `${proxy.url}/b-BENCH-proxy`, hq.db('b-BENCH-proxy'));
    return {
      bench: 'sync',
      docs: N,
      docs_per_s: Math.round(ours),
      plain_docs_per_s: Math.round(plain),
      ratio_vs_pouchdb: Number((ours / plain).toFixed(2)),
      proxy_50ms_docs_per_s: Math.round(viaProxy),
    };
  } finally {
    await proxy.close();
    await branch.close();
    await hq.close();
    await rm(dir, { recursive: true, force: true });
  }
}
