import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { CrmError, CrmService } from '../appliance/src/crm/index.ts';
import { type CrmHarness, countDocs, openCrmHarness } from './crm-harness.ts';

const CUSTOMERS = 20;
const ORDERS = 10_000;
// Data rows start at line 2: the header is line 1 (RowError.row convention).
const BAD = { amount: 1_234, status: 5_000, customer: 9_999 } as const;

function customersCsv(): string {
  const lines = ['externalId,name,phone,tier,nickname'];
  for (let i = 0; i < CUSTOMERS; i++) {
    lines.push(
      `C${i},Customer ${i},+86138${String(i).padStart(8, '0')},${i % 2 ? 'gold' : 'silver'},nick${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function ordersCsv(broken: boolean): string {
  const lines = ['orderNo,customerExternalId,date,items,amount,status,address'];
  for (let i = 0; i < ORDERS; i++) {
    const line = i + 2;
    const cust = broken && line === BAD.customer ? 'NOPE' : `C${i % CUSTOMERS}`;
    const amount = broken && line === BAD.amount ? '12.3x' : `${(i % 997) + 0.5}`;
    const status = broken && line === BAD.status ? 'lost' : i % 3 ? 'paid' : 'delivered';
    const address = i % 100 === 0 ? `"${i} Renmin Rd, Hangzhou"` : '';
    lines.push(
      `ORD-${i},${cust},2025-0${(i % 9) + 1}-1${i % 10},SKU-${i % 7}x${(i % 3) + 1};SKU-9,${amount},${status},${address}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const csv = (s: string) => new TextEncoder().encode(s);

describe('CRM import', () => {
  let h: CrmHarness;
  before(async () => {
    h = await openCrmHarness();
    await h.crm.defineField(
      { name: 'tier', type: 'enum', values: ['gold', 'silver'], required: true, pii: false },
      h.actor,
    );
    await h.crm.defineField({ name: 'nickname', type: 'string', required: false, pii: true }, h.actor);
    const r = await h.crm.import(csv(customersCsv()), { kind: 'customers', format: 'csv', actor: h.actor });
    assert.equal(r.committed, true, JSON.stringify(r.errors));
    assert.equal(r.imported, CUSTOMERS);
  });
  after(() => h.close());

  test('a 10,000-row orders CSV with 3 bad rows imports nothing and the report names the three rows and fields', async () => {
    const r = await h.crm.import(csv(ordersCsv(true)), { kind: 'orders', format: 'csv', actor: h.actor });
    assert.equal(r.committed, false);
    assert.equal(r.rows, ORDERS);
    assert.deepEqual(
      r.errors.map((e) => [e.row, e.field]),
      [
        [BAD.amount, 'amount'],
        [BAD.status, 'status'],
        [BAD.customer, 'customerExternalId'],
      ],
    );
    assert.match(r.errors[2]!.reason, /unknown customer/);
    assert.equal(await countDocs(h, 'ord:'), 0);
  });

  test('the fixed file imports all 10,000 orders and a re-import changes nothing', async () => {
    const first = await h.crm.import(csv(ordersCsv(false)), {
      kind: 'orders',
      format: 'csv',
      actor: h.actor,
    });
    assert.equal(first.committed, true, JSON.stringify(first.errors.slice(0, 3)));
    assert.equal(first.imported, ORDERS);
    assert.equal(await countDocs(h, 'ord:'), ORDERS);
    const again = await h.crm.import(csv(ordersCsv(false)), {
      kind: 'orders',
      format: 'csv',
      actor: h.actor,
    });
    assert.equal(again.committed, true);
    assert.equal(again.imported, 0);
    assert.equal(again.unchanged, ORDERS);
    assert.equal(await countDocs(h, 'ord:'), ORDERS);
  });

  test('re-importing customers keeps one customer per external id and seals PII custom fields', async () => {
    const r = await h.crm.import(csv(customersCsv()), { kind: 'customers', format: 'csv', actor: h.actor });
    assert.equal(r.imported, 0);
    assert.equal(await countDocs(h, 'prof:'), CUSTOMERS);
    const raw = h.core.stores.find((s) => s.name === 'crm')!;
    const [prof] = await raw.list<{ sealed?: string; fields: Record<string, unknown> }>({
      prefix: 'prof:',
      limit: 1,
    });
    assert.match(String(prof?.sealed), /^enc:v1:/);
    assert.ok(!JSON.stringify(prof).includes('nick'));
    assert.ok(prof?.fields.tier === 'gold' || prof?.fields.tier === 'silver');
  });

  test('an XLSX warranty import validates per row and then imports the fixed sheet', async () => {
    const sheet = async (bad: boolean) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('warranties');
      ws.addRow(['serial', 'customerExternalId', 'sku', 'start', 'end', 'status']);
      for (let i = 0; i < 50; i++) {
        const end = bad && i === 10 ? new Date('2020-01-01') : new Date('2027-01-01');
        ws.addRow([`SN-${i}`, `C${i % CUSTOMERS}`, `SKU-${i % 7}`, new Date('2025-01-01'), end, 'active']);
      }
      return new Uint8Array(await wb.xlsx.writeBuffer());
    };
    const rejected = await h.crm.import(await sheet(true), {
      kind: 'warranties',
      format: 'xlsx',
      actor: h.actor,
    });
    assert.equal(rejected.committed, false);
    assert.deepEqual(rejected.errors, [{ row: 12, field: 'end', reason: 'before start' }]);
    assert.equal(await countDocs(h, 'war:'), 0);
    const ok = await h.crm.import(await sheet(false), { kind: 'warranties', format: 'xlsx', actor: h.actor });
    assert.equal(ok.imported, 50);
    assert.equal(await countDocs(h, 'war:'), 50);
  });

  test('a duplicate natural key in one file names the row it repeats', async () => {
    const r = await h.crm.import(csv('sku,name\nP1,Phone\nP2,Tablet\nP1,Phone again\n'), {
      kind: 'products',
      format: 'csv',
      actor: h.actor,
    });
    assert.deepEqual(r.errors, [{ row: 4, field: 'sku', reason: 'duplicate of row 2' }]);
  });

  test('a file over the size limit rejects with CRM_IMPORT_TOO_LARGE while streaming', async () => {
    const store = h.core.stores.find((s) => s.name === 'crm')!;
    const small = new CrmService(store, {
      customers: h.core.customers,
      bus: h.core.bus,
      recordRead: async () => {},
      maxImportBytes: 64 * 1024,
    });
    const chunks = (function* () {
      yield Buffer.from('sku,name\n');
      for (let i = 0; i < 1000; i++) yield Buffer.from(`P${i},${'x'.repeat(100)}\n`);
    })();
    await assert.rejects(
      small.import(Readable.from(chunks), { kind: 'products', format: 'csv', actor: h.actor }),
      (e) => e instanceof CrmError && e.code === 'CRM_IMPORT_TOO_LARGE',
    );
    assert.equal(await countDocs(h, 'prod:'), 0);
    await small.close();
  });
});
