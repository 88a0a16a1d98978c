// The embedded HQ for `npm run bench -- hq-fanin`, in its own process so its CPU
// and RSS are its own. argv: <branches> <dataDir>. Prints one JSON line
// {port, passwords}; then answers `report` on stdin with the arrival lags (ms)
// seen since the last report, one JSON line each.
import { createInterface } from 'node:readline';
import { startHqCouch } from '../sync/src/index.ts';

const n = Number(process.argv[2]);
const dataDir = String(process.argv[3]);
const couch = await startHqCouch({ dataDir, auth: true });
const passwords: string[] = [];
let lags: number[] = [];
for (let i = 0; i < n; i++) {
  const branch = `F${i}`;
  passwords.push(couch.credentials.issue(branch).password);
  // What enrolment does: the database exists before the branch's first push.
  const db = couch.db(`b-${branch}-tickets`);
  await db.info();
  // Arrival time at HQ, from HQ's own change feed (in-process: no extra HTTP load on the port measured).
  (
    db as unknown as {
      changes(o: object): { on(e: string, f: (c: { doc?: { writtenAt?: unknown } }) => void): void };
    }
  )
    .changes({ live: true, since: 'now', include_docs: true })
    .on('change', (c) => {
      if (typeof c.doc?.writtenAt === 'number') lags.push(Date.now() - c.doc.writtenAt);
    });
}
process.stdout.write(`${JSON.stringify({ port: couch.port, passwords })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'report') continue;
  const out = lags;
  lags = [];
  process.stdout.write(`${JSON.stringify({ lags: out })}\n`);
}
await couch.close();
process.exit(0);
