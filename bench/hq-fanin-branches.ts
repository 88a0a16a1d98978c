// Branches for `npm run bench -- hq-fanin`, a share of them per process so the
// load generator is not one event loop. argv: <port> <first> <count> <dataDir>;
// env BENCH_FANIN_PASSWORDS: JSON list of the branches' passwords (first..).
// Each branch writes ~5 docs/s to its LevelDB outbound db and pushes it live to
// HQ with the Replicator branches use. Prints `ready`; answers `count` on stdin
// with the number of docs written so far; exits when stdin ends.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PouchDB, type PouchDb, Replicator } from '../sync/src/index.ts';

const [port, first, count, dataDir] = process.argv.slice(2);
const passwords = JSON.parse(process.env['BENCH_FANIN_PASSWORDS'] ?? '[]') as string[];
const DOCS_PER_S = 5;
mkdirSync(String(dataDir), { recursive: true });
const locals: PouchDb[] = [];
const reps: Replicator[] = [];
const timers: NodeJS.Timeout[] = [];
let written = 0;
for (let k = 0; k < Number(count); k++) {
  const i = Number(first) + k;
  const local = new PouchDB(path.join(String(dataDir), `branch-${i}`));
  locals.push(local);
  const auth = `F${i}:${encodeURIComponent(passwords[k] as string)}`;
  const r = new Replicator({
    name: 'tickets',
    local,
    remoteUrl: `http://${auth}@127.0.0.1:${port}/b-F${i}-tickets`,
    direction: 'push',
  });
  r.start();
  reps.push(r);
  let seq = 0;
  const beat = () => {
    const doc = { _id: `t${String(seq++).padStart(8, '0')}`, writtenAt: Date.now(), state: 'open', n: seq };
    void local.put(doc).then(() => {
      written += 1;
    });
  };
  // Offset so a process's writes spread over the 200 ms beat.
  timers.push(
    setTimeout(
      () => timers.push(setInterval(beat, 1000 / DOCS_PER_S)),
      ((1000 / DOCS_PER_S) * k) / Number(count),
    ),
  );
}
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'count') process.stdout.write(`${written}\n`);
}
for (const t of timers) clearInterval(t);
for (const r of reps) await r.close();
for (const db of locals) await db.close().catch(() => undefined);
process.exit(0);
