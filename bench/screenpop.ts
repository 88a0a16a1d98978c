// Screen-pop / customer-360 latency with 100,000 customers and 1,000,000 messages in real LevelDB.
// Data is bulk-loaded (bulkPut, batches of 1000) in the stores' own layouts: customers `cust:<id>`
// (customers context), CRM orders/warranties/profiles (crm context), messages `cc:<customer>` +
// `m:<conversation>:<at>:<seq>:<id>` (conversations context), bodies sealed under `cust:<id>`.
//
// Key ring: the real one (openCrypto under the bench data dir). Per-customer keys go to the
// append-only customer key log with group commit, so 100,000 `cust:` keys load in seconds;
// keyring_open_s reports how long reopening the key ring with all of them takes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CRM_SEALED_FIELDS,
  CrmService,
  crmKeyIdFor,
  customerIdFor,
  type HistoryItem,
} from '../appliance/src/crm/index.ts';
import { CUSTOMER_SEALED_FIELDS, CustomerService } from '../appliance/src/customers/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import {
  type DocStore,
  EncryptedDocStore,
  openCrypto,
  openPouchStore,
} from '../appliance/src/storage/index.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const BATCH = 1000;

async function load(
  store: DocStore,
  count: number,
  make: (i: number) => Array<Record<string, unknown> & { _id: string }>,
) {
  let batch: Array<Record<string, unknown> & { _id: string }> = [];
  for (let i = 0; i < count; i++) {
    batch.push(...make(i));
    if (batch.length >= BATCH) {
      await store.bulkPut(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.bulkPut(batch);
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function run(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'branchline-bench-screenpop-'));
  const crypto = await openCrypto(root);
  const bus = new EventBus();
  const dbDir = join(root, 'db');
  const custStore = new EncryptedDocStore(await openPouchStore(dbDir, 'customers'), {
    crypto,
    fields: [...CUSTOMER_SEALED_FIELDS],
    keyIdFor: (d) => (typeof d._id === 'string' && d._id.startsWith('cust:') ? d._id : 'pii'),
  });
  const crmStore = new EncryptedDocStore(await openPouchStore(dbDir, 'crm'), {
    crypto,
    fields: CRM_SEALED_FIELDS,
    keyIdFor: crmKeyIdFor,
  });
  const convStore = new EncryptedDocStore(await openPouchStore(dbDir, 'conversations'), {
    crypto,
    fields: ['text'],
    keyIdFor: (d) => (typeof d.customerId === 'string' ? `cust:${d.customerId}` : 'pii'),
  });
  try {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => customerIdFor(`B${i}`));
    const t0 = performance.now();
    const at = '2025-01-01T00:00:00.000Z';
    await load(custStore, CUSTOMERS, (i) => [
      {
        _id: `cust:${ids[i]}`,
        type: 'customer',
        name: `Customer ${i}`,
        phone: `+86139${String(i).padStart(8, '0')}`,
        createdAt: at,
        updatedAt: at,
      },
    ]);
    await load(crmStore, CUSTOMERS, (i) => {
      const c = ids[i]!;
      const docs: Array<Record<string, unknown> & { _id: string }> = [
        {
          _id: `prof:${c}`,
          type: 'profile',
          customerId: c,
          externalId: `B${i}`,
          fields: { tier: 'gold' },
          sealed: '{"nickname":"n"}',
          updatedAt: at,
        },
        {
          _id: `ord:${c}:O${i}`,
          type: 'order',
          orderNo: `O${i}`,
          customerId: c,
          date: '2025-02-01',
          items: [{ sku: 'S1', qty: 1 }],
          amount: 10,
          status: 'paid',
        },
      ];
      if (i % 5 === 0)
        docs.push({
          _id: `war:${c}:SN${i}`,
          type: 'warranty',
          serial: `SN${i}`,
          customerId: c,
          sku: 'S1',
          start: '2025-01-01',
          end: '2027-01-01',
          status: 'active',
        });
      return docs;
    });
    const perCustomer = Math.max(1, Math.floor(MESSAGES / CUSTOMERS));
    await load(convStore, CUSTOMERS, (i) => {
      const c = ids[i]!;
      const docs: Array<Record<string, unknown> & { _id: string }> = [
        { _id: `cc:${c}`, conversationId: `v${i}` },
      ];
      for (let j = 0; j < perCustomer; j++) {
        const when = new Date(Date.UTC(2025, 0, 1, 0, j)).toISOString();
        docs.push({
          _id: `m:v${i}:${when}:${String(j).padStart(6, '0')}:m${i}-${j}`,
          type: 'message',
          customerId: c,
          conversationId: `v${i}`,
          contactId: `k${i}`,
          channel: 'webchat',
          direction: 'in',
          author: c,
          text: `message ${j} from customer ${i}`,
          attachments: [],
          at: when,
          delivery: 'delivered',
        });
      }
      return docs;
    });
    const loadS = (performance.now() - t0) / 1000;
    const keyCount = crypto.keys.size;
    const t1 = performance.now();
    const reopened = await openCrypto(root);
    const keyringOpenS = (performance.now() - t1) / 1000;
    if (reopened.keys.size !== keyCount) throw new Error(`key ring reopened with ${reopened.keys.size} keys`);
    reopened.close();

    const customers = new CustomerService(custStore, { index: crypto, bus, auditRead: async () => {} });
    const crm = new CrmService(crmStore, { customers, bus, recordRead: async () => {} });
    crm.registerHistorySource('messages', async (customerId, limit): Promise<HistoryItem[]> => {
      const cc = await convStore.get<{ conversationId: string }>(`cc:${customerId}`);
      if (!cc) return [];
      const msgs = await convStore.list<{ at: string; text: string }>({
        prefix: `m:${cc.conversationId}:`,
        descending: true,
        limit,
      });
      return msgs.map((m) => ({ kind: 'message', id: m._id, at: m.at, summary: m.text.slice(0, 80) }));
    });
    const viewer = { userId: 'bench', permissions: new Set(['customers.read']) };
    for (let i = 0; i < 100; i++) await crm.screenPop(ids[(i * 7919) % CUSTOMERS]!, viewer);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const id = ids[Math.floor(Math.random() * CUSTOMERS)]!;
      const s = performance.now();
      const pop = await crm.screenPop(id, viewer);
      times.push(performance.now() - s);
      if (pop.orders.length !== 1 || pop.history.length === 0)
        throw new Error(`incomplete screen pop for ${id}`);
    }
    times.sort((a, b) => a - b);
    await crm.close();
    return {
      bench: 'screenpop',
      p50_ms: Math.round(pct(times, 0.5) * 100) / 100,
      p99_ms: Math.round(pct(times, 0.99) * 100) / 100,
      customers: CUSTOMERS,
      messages: perCustomer * CUSTOMERS,
      samples: SAMPLES,
      load_s: Math.round(loadS),
      keys: keyCount,
      keyring_open_s: Math.round(keyringOpenS * 100) / 100,
    };
  } finally {
    await custStore.close();
    await crmStore.close();
    await convStore.close();
    bus.close();
    crypto.close();
    rmSync(root, { recursive: true, force: true });
  }
}
