// List latency at branch scale (issue 16): tickets filtered by state (first page and a deep page
// reached by following cursors), customer search by phone, customer 360 — at 10k and at 100k
// tickets and customers, over real HTTP on 127.0.0.1 against a real appliance.
//
// Data is bulk-loaded between runs, with the appliance stopped (LevelDB admits one process),
// through the stores' fast path (bulkPut, batches of 1000) in their own layouts: tickets with their
// list-index entries (`tix:`), customers with their phone blind-index entry (`idx:phone:<HMAC>`),
// and one customer in ten with three contacts (`ct:` plus the `cx:` customer index and the `ci:`
// list indexes); the closed-contacts list (supervisor's view) is timed like the ticket list.
// BENCH_SIZES=10000,100000 and BENCH_SAMPLES=200 override; BENCH_CPU_PROF=<dir> writes a
// --cpu-prof profile of each appliance run there.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { contactListKeys } from '../appliance/src/conversations/index.ts';
import { CUSTOMER_SEALED_FIELDS } from '../appliance/src/customers/index.ts';
import {
  type DocStore,
  EncryptedDocStore,
  openCrypto,
  openPouchStore,
} from '../appliance/src/storage/index.ts';
import {
  TICKET_SEALED_FIELDS,
  type Ticket,
  ticketDoc,
  ticketIndexDocs,
  ticketKeyId,
} from '../appliance/src/tickets/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from '../tests/support/appliance.ts';
import { bootstrapAdmin } from '../tests/support/bootstrap.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const STATES = ['new', 'open', 'l1', 'pending_customer', 'resolved'] as const;
const BATCH = 1000;

type Doc = Record<string, unknown> & { _id: string };

async function load(store: DocStore, from: number, to: number, make: (i: number) => Doc[]) {
  let batch: Doc[] = [];
  for (let i = from; i < to; i++) {
    batch.push(...make(i));
    if (batch.length >= BATCH) {
      await store.bulkPut(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.bulkPut(batch);
}

const customerId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const phoneOf = (i: number) => `+86139${String(i).padStart(8, '0')}`;
const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();

function ticket(i: number): Ticket {
  return {
    id: `b${String(i).padStart(8, '0')}`,
    number: `BR-${String(i + 1).padStart(6, '0')}`,
    subject: `Card stuck in ATM ${i}`,
    description: 'The ATM at the branch kept the card.',
    customerId: customerId(i),
    language: 'zh-CN',
    priority: 'normal',
    workflowId: 'default',
    workflowVersion: 1,
    state: STATES[i % STATES.length] ?? 'new',
    visited: ['new'],
    levelsPassed: [],
    fields: {},
    tags: [],
    links: { contactIds: [], conversationIds: [], mergedFrom: [] },
    createdAt: at(i),
    updatedAt: at(i),
  };
}

/** Adds tickets, customers and contacts [from, to) to a stopped appliance's data directory. */
async function seed(dataDir: string, from: number, to: number) {
  const crypto = await openCrypto(dataDir);
  const dbDir = join(dataDir, 'db');
  const tickets = new EncryptedDocStore(await openPouchStore(dbDir, 'tickets'), {
    crypto,
    fields: [...TICKET_SEALED_FIELDS],
    keyIdFor: ticketKeyId,
  });
  const customers = new EncryptedDocStore(await openPouchStore(dbDir, 'customers'), {
    crypto,
    fields: [...CUSTOMER_SEALED_FIELDS],
    keyIdFor: (d) => (typeof d._id === 'string' && d._id.startsWith('cust:') ? d._id : 'pii'),
  });
  const conversations = await openPouchStore(dbDir, 'conversations');
  try {
    await load(tickets, from, to, (i) => {
      const t = ticket(i);
      return [ticketDoc(t), ...ticketIndexDocs(t)] as Doc[];
    });
    await load(customers, from, to, (i) => {
      const id = customerId(i);
      const phone = phoneOf(i);
      return [
        {
          _id: `cust:${id}`,
          type: 'customer',
          name: `Customer ${i}`,
          phone,
          phoneRaw: phone,
          handleList: JSON.stringify([{ kind: 'phone', value: phone, verified: true }]),
          createdAt: at(i),
          updatedAt: at(i),
        },
        {
          _id: `idx:phone:${crypto.blindIndex('phone', phone)}`,
          customerId: id,
          kind: 'phone',
          verified: true,
        },
      ];
    });
    await load(conversations, from, to, (i) => {
      if (i % 10 !== 0) return [];
      return [0, 1, 2].flatMap((k) => {
        const id = randomUUID();
        const created = at(i + k);
        const listed = { id, state: 'closed' as const, createdAt: created, attributes: {} };
        return [
          ...contactListKeys(listed).map((key) => ({ _id: key, contactId: id })),
          {
            _id: `ct:${id}`,
            type: 'contact',
            id,
            conversationId: `v${i}`,
            customerId: customerId(i),
            channel: 'webchat',
            threadKey: `t${i}-${k}`,
            state: 'closed',
            attributes: {},
            createdAt: created,
            updatedAt: created,
            timeline: { queued: created },
          },
          { _id: `cx:${customerId(i)}:${created}:${id}`, contactId: id },
        ];
      });
    });
  } finally {
    await tickets.close();
    await customers.close();
    await conversations.close();
    crypto.close();
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (ms: number) => Math.round(ms * 10) / 10;

async function timed(get: (i: number) => Promise<Response>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 10; i++) await (await get(i)).arrayBuffer();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const res = await get(i);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status} during the bench`);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: round(pct(ms, 0.5)), p99: round(pct(ms, 0.99)) };
}

async function measure(app: RunningAppliance, cookie: string, size: number) {
  const get = (path: string) => fetch(app.base + path, { headers: { cookie } });
  // A deep page: follow cursors (up to 200 a page) half-way down the `open` listing.
  let cursor: string | undefined;
  let walked = 0;
  const half = size / STATES.length / 2;
  const step = Math.min(200, Math.max(1, Math.floor(half / 2)));
  while (walked < half) {
    const r = (await (
      await get(`/api/tickets?state=open&limit=${step}${cursor ? `&cursor=${cursor}` : ''}`)
    ).json()) as {
      tickets: unknown[];
      nextCursor?: string;
    };
    walked += r.tickets.length;
    cursor = r.nextCursor;
    if (!cursor) throw new Error(`the open listing ended before half-way [walked:${walked}]`);
  }
  const first = await timed(() => get('/api/tickets?state=open&limit=50'));
  const deep = await timed(() => get(`/api/tickets?state=open&limit=50&cursor=${cursor}`));
  const pick = (i: number) => Math.floor(((i * 7919) % size) / 10) * 10;
  const phone = await timed((i) => get(`/api/customers?phone=${encodeURIComponent(phoneOf(pick(i) + 1))}`));
  const c360 = await timed((i) => get(`/api/customers/${customerId(pick(i))}/360`));
  const firstBytes = (await (await get('/api/tickets?state=open&limit=50')).arrayBuffer()).byteLength;
  // Contacts: a deep page of the closed list, half-way down, reached the same way.
  let contactCursor: string | undefined;
  let contactsWalked = 0;
  const contactsHalf = (size / 10) * 1.5;
  while (contactsWalked < contactsHalf) {
    const r = (await (
      await get(
        `/api/contacts?scope=all&state=closed&limit=200${contactCursor ? `&cursor=${contactCursor}` : ''}`,
      )
    ).json()) as { contacts: unknown[]; nextCursor?: string };
    contactsWalked += r.contacts.length;
    contactCursor = r.nextCursor;
    if (!contactCursor)
      throw new Error(`the closed contacts ended before half-way [walked:${contactsWalked}]`);
  }
  const contactsFirst = await timed(() => get('/api/contacts?scope=all&state=closed&limit=50'));
  const contactsDeep = await timed(() =>
    get(`/api/contacts?scope=all&state=closed&limit=50&cursor=${contactCursor}`),
  );
  return { first, deep, phone, c360, walked, firstBytes, contactsFirst, contactsDeep, contactsWalked };
}

export async function run(): Promise<Record<string, unknown>> {
  const tmp = await tempDataDir('branchline-bench-lists-');
  const prof = process.env.BENCH_CPU_PROF;
  // Node refuses --cpu-prof in NODE_OPTIONS: a shell puts it after the node binary the harness runs.
  const wrap = prof ? ['sh', '-c', `exec "$0" --cpu-prof --cpu-prof-dir=${prof} "$@"`] : undefined;
  const start = () => startAppliance(tmp.dir, { timeoutMs: 300_000, ...(wrap ? { wrap } : {}) });
  const out: Record<string, unknown> = { bench: 'lists', samples: SAMPLES };
  try {
    let app = await start();
    const { admin } = await bootstrapAdmin(app);
    const cookie = admin.cookie;
    await app.stop();
    let seeded = 0;
    for (const size of SIZES) {
      const t = performance.now();
      await seed(tmp.dir, seeded, size);
      seeded = size;
      out[`seed_s_${size / 1000}k`] = Math.round((performance.now() - t) / 100) / 10;
      app = await start();
      try {
        const m = await measure(app, cookie, size);
        const k = `${size / 1000}k`;
        Object.assign(out, {
          [`tickets_first_p50_ms_${k}`]: m.first.p50,
          [`tickets_first_p99_ms_${k}`]: m.first.p99,
          [`tickets_deep_p50_ms_${k}`]: m.deep.p50,
          [`tickets_deep_p99_ms_${k}`]: m.deep.p99,
          [`tickets_deep_position_${k}`]: m.walked,
          [`tickets_first_page_bytes_${k}`]: m.firstBytes,
          [`phone_p50_ms_${k}`]: m.phone.p50,
          [`phone_p99_ms_${k}`]: m.phone.p99,
          [`customer360_p50_ms_${k}`]: m.c360.p50,
          [`customer360_p99_ms_${k}`]: m.c360.p99,
          [`contacts_first_p50_ms_${k}`]: m.contactsFirst.p50,
          [`contacts_first_p99_ms_${k}`]: m.contactsFirst.p99,
          [`contacts_deep_p50_ms_${k}`]: m.contactsDeep.p50,
          [`contacts_deep_p99_ms_${k}`]: m.contactsDeep.p99,
        });
        process.stderr.write(`lists ${k}: ${JSON.stringify(m)}\n`);
      } finally {
        await app.stop();
      }
    }
    return out;
  } finally {
    await tmp.cleanup();
  }
}
