// Child for fsync.test.ts: writes a marker line after each acknowledged write
// so the strace log shows whether an fsync completed before the acknowledgement.
import { mkdirSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { plainLeveldown } from '../durable-leveldown.ts';
import { openPouchStore } from '../pouch-store.ts';
import type { PouchConstructor } from '../pouch-types.ts';

const [dir = '', mode = 'durable'] = process.argv.slice(2);
const mark = (text: string) => writeSync(1, `MARK ${text}\n`);

if (mode === 'plain') {
  const PouchDB = createRequire(import.meta.url)('pouchdb') as PouchConstructor;
  mkdirSync(dir, { recursive: true });
  const db = new PouchDB(`${dir}/plain`, { db: plainLeveldown });
  await db.info();
  mark('begin');
  for (let i = 0; i < 5; i++) {
    await db.bulkDocs([{ _id: `p${i}`, v: i }]);
    mark(`put ${i}`);
  }
  await db.close();
} else {
  const store = await openPouchStore(dir, 'fsync');
  mark('begin');
  for (let i = 0; i < 5; i++) {
    await store.put({ _id: `p${i}`, v: i });
    mark(`put ${i}`);
  }
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.put({ _id: `c${i}`, v: i })));
  mark('concurrent 20');
  const r = await store.put({ _id: 'r', v: 1 });
  mark('put r');
  await store.remove('r', r.rev);
  mark('remove r');
  await store.close();
}
