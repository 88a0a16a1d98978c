import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CryptoFacade, openCrypto } from './crypto/facade.ts';
import { CRYPTO_SUITES } from './crypto/suite.ts';
import { EncryptedDocStore } from './encrypted-store.ts';
import { StorageError } from './errors.ts';
import { MemoryDocStore } from './memory-store.ts';
import { openPouchStore } from './pouch-store.ts';

interface Customer {
  customerId: string;
  name: string;
  phone?: string | null;
  tier: string;
}

const root = mkdtempSync(join(tmpdir(), 'branchline-enc-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const suite of CRYPTO_SUITES) {
  const tag = suite === 'gm' ? 'g1' : 'v1';
  let crypto: CryptoFacade;
  before(async () => {
    crypto = await openCrypto(join(root, suite, 'data'), { suite });
  });
  after(() => crypto.close());

  const perCustomer = (inner = new MemoryDocStore('customers')) => ({
    inner,
    store: new EncryptedDocStore(inner, {
      crypto,
      fields: ['name', 'phone'],
      keyIdFor: (d) => `cust:${String(d.customerId)}`,
    }),
  });

  describe(`EncryptedDocStore (${suite} suite)`, () => {
    it('stores listed fields only as envelopes under the per-customer key and keeps others in clear', async () => {
      const { inner, store } = perCustomer();
      await store.put<Customer>({
        _id: 'c1',
        customerId: 'c1',
        name: 'Wang Fang',
        phone: '13800138000',
        tier: 'gold',
      });
      const raw = await inner.get<Customer>('c1');
      assert.match(raw?.name ?? '', new RegExp(`^enc:${tag}:cust:c1:`));
      assert.match(raw?.phone ?? '', new RegExp(`^enc:${tag}:cust:c1:`));
      assert.equal(raw?.tier, 'gold');
      assert.equal((await store.get<Customer>('c1'))?.phone, '13800138000');
      await store.close();
    });

    it('get() of a ciphertext copied into another document rejects with STORAGE_DECRYPT_FAILED', async () => {
      const { inner, store } = perCustomer();
      await store.put<Customer>({ _id: 'c1', customerId: 'c1', name: 'A', tier: 't' });
      const stolen = await inner.get<Customer>('c1');
      await inner.put({ _id: 'c2', customerId: 'c1', name: stolen?.name, tier: 't' });
      await assert.rejects(
        store.get('c2'),
        (e) => e instanceof StorageError && e.code === 'STORAGE_DECRYPT_FAILED',
      );
      await store.close();
    });

    it('after shred() the customer documents still list but their encrypted fields read as null', async () => {
      const { store } = perCustomer();
      await store.put<Customer>({ _id: 'c7', customerId: '7', name: 'Li Lei', phone: '139', tier: 'std' });
      await store.put<Customer>({ _id: 'c8', customerId: '8', name: 'Han Meimei', tier: 'std' });
      await crypto.shred('cust:7');
      const docs = await store.list<Customer>();
      assert.deepEqual(
        docs.map((d) => [d._id, d.name, d.phone ?? null, d.tier]),
        [
          ['c7', null, null, 'std'],
          ['c8', 'Han Meimei', null, 'std'],
        ],
      );
      await store.close();
    });

    it('put() of a non-string value in an encrypted field rejects with TypeError', async () => {
      const { store } = perCustomer();
      await assert.rejects(store.put({ _id: 'x', customerId: 'x', name: 12345 }), TypeError);
      await store.close();
    });

    it('no plaintext of 100 synthetic phone, ID-card and bank-card numbers reaches the LevelDB files', async () => {
      const inner = await openPouchStore(join(root, suite, 'db'), 'canary');
      const store = new EncryptedDocStore(inner, { crypto, fields: ['phone', 'idCard', 'bankCard'] });
      const canaries: string[] = [];
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const phone = `1390000${String(i).padStart(4, '0')}`;
          const idCard = `11010519900307${String(i).padStart(4, '0')}`;
          const bankCard = `622202000000${String(i).padStart(4, '0')}`;
          canaries.push(phone, idCard, bankCard);
          return store.create({
            _id: `cust:${i}`,
            phone,
            idCard,
            bankCard,
            phoneIdx: crypto.blindIndex('phone', phone),
          });
        }),
      );
      assert.equal((await store.get<{ bankCard: string }>('cust:42'))?.bankCard, '6222020000000042');
      await store.close();
      const dir = join(root, suite, 'db', 'canary');
      const bytes = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
      assert.ok(bytes.join('').includes('cust:42'), 'the scan reads real data files');
      const hits = canaries.filter((c) => bytes.some((b) => b.includes(c)));
      assert.deepEqual(hits, []);
    });
  });
}

describe('EncryptedDocStore suite migration', () => {
  it('reencrypt() moves every classic envelope to gm online, skips shredded customers, and a second run rewrites nothing', async () => {
    const crypto = await openCrypto(join(root, 'migrate', 'data'), { suite: 'classic' });
    const inner = await openPouchStore(join(root, 'migrate', 'db'), 'customers');
    const store = new EncryptedDocStore(inner, {
      crypto,
      fields: ['name', 'phone'],
      keyIdFor: (d) => `cust:${String(d.customerId)}`,
    });
    try {
      for (let i = 0; i < 25; i++) {
        await store.put<Customer>({
          _id: `c${i}`,
          customerId: String(i),
          name: `N${i}`,
          phone: `139${i}`,
          tier: 't',
        });
      }
      await crypto.shred('cust:3');
      await crypto.setSuite('gm');
      await store.put<Customer>({ _id: 'c99', customerId: '99', name: 'new', tier: 't' });
      assert.match((await inner.get<Customer>('c99'))?.name ?? '', /^enc:g1:cust:99:/);
      assert.deepEqual(await store.reencrypt({ pageSize: 7 }), { rewritten: 24, skipped: 1 });
      const raw = await inner.list<Customer>();
      const tags = raw.map((d) => `${d._id}:${(d.name ?? '').slice(0, 7)}`);
      assert.deepEqual(
        tags.filter((t) => !t.endsWith(':enc:g1:')),
        ['c3:enc:v1:'],
        'only the shredded customer stays classic',
      );
      assert.equal((await store.get<Customer>('c7'))?.phone, '1397');
      assert.equal((await store.get<Customer>('c3'))?.name, null);
      assert.deepEqual(await store.reencrypt(), { rewritten: 0, skipped: 1 });
    } finally {
      await store.close();
      crypto.close();
    }
  });

  it('CryptoFacade.migrateSuite() switches the suite and re-encrypts every open EncryptedDocStore; a closed one is no longer visited', async () => {
    const crypto = await openCrypto(join(root, 'migrate-all', 'data'), { suite: 'gm' });
    const a = new EncryptedDocStore(new MemoryDocStore('a'), { crypto, fields: ['name'] });
    const b = new EncryptedDocStore(new MemoryDocStore('b'), { crypto, fields: ['name'] });
    const gone = new EncryptedDocStore(new MemoryDocStore('gone'), { crypto, fields: ['name'] });
    try {
      for (let i = 0; i < 3; i++) await a.put({ _id: `a${i}`, name: `A${i}` });
      await b.put({ _id: 'b0', name: 'B0' });
      await gone.put({ _id: 'g0', name: 'G0' });
      await gone.close();
      assert.deepEqual(await crypto.migrateSuite('classic'), {
        suite: 'classic',
        rewritten: 4,
        skipped: 0,
        stores: 2,
      });
      assert.equal(crypto.suite.name, 'classic');
      assert.equal((await a.get<{ name: string }>('a2'))?.name, 'A2');
      assert.deepEqual(await crypto.migrateSuite('classic'), {
        suite: 'classic',
        rewritten: 0,
        skipped: 0,
        stores: 2,
      });
    } finally {
      await a.close();
      await b.close();
      crypto.close();
    }
  });
});
