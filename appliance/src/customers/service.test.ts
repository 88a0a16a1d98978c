import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { CustomersError } from './errors.ts';
import { CustomerService } from './service.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');
const actor = { userId: 'u1' };

function setup(phoneRegion = 'CN') {
  const store = new MemoryDocStore('customers');
  const customers = new CustomerService(store, {
    index: { blindIndex: blind },
    bus: new EventBus(),
    auditRead: async () => undefined,
    phoneRegion,
  });
  return { store, customers };
}

test('create() stores a CN mobile typed without +86 as E.164 beside the raw input, and caller ID in any form finds it', async () => {
  const { customers } = setup();
  const c = await customers.create({ name: 'Wang Fang', phone: '139 0000 1111' }, actor);
  assert.equal(c.phone, '+8613900001111');
  assert.equal(c.phoneRaw, '139 0000 1111');
  assert.deepEqual(c.handles, [{ kind: 'phone', value: '+8613900001111', verified: true }]);
  for (const callerId of ['+8613900001111', '8613900001111', '008613900001111', '13900001111']) {
    assert.equal((await customers.findByPhone(callerId, actor))?.id, c.id, callerId);
  }
  assert.equal(await customers.findByPhone('+13900001111', actor).catch(() => 'invalid'), 'invalid');
});

test('create() accepts landlines, extensions and service numbers, and refuses the same number twice', async () => {
  const { customers } = setup();
  const land = await customers.create({ name: 'Beijing office', phone: '010-62345678' }, actor);
  assert.equal(land.phone, '+861062345678');
  const ext = await customers.create({ name: 'Desk 123', phone: '010-62345678转123' }, actor);
  assert.equal(ext.phone, '+861062345678;ext=123');
  const bank = await customers.create({ name: 'ICBC hotline', phone: '95588' }, actor);
  assert.equal(bank.phone, '+8695588');
  assert.equal((await customers.findByPhone('+861062345678', actor))?.id, land.id);
  assert.equal((await customers.findByPhone('95588', actor))?.id, bank.id);
  await assert.rejects(customers.create({ name: 'Again', phone: '+86 10 6234 5678' }, actor), {
    code: 'CUSTOMERS_DUPLICATE_HANDLE',
  });
  await assert.rejects(
    customers.create({ name: 'Nobody', phone: '12' }, actor),
    (e: unknown) => e instanceof CustomersError && e.code === 'CUSTOMERS_INVALID_FIELD',
  );
});

test('a handle stored by the pre-region normaliser (+13900001111) is found by its E.164 caller ID and re-keyed on the next link', async () => {
  const { store, customers } = setup();
  // What the old code wrote for a customer created with '13900001111'.
  const legacyKey = `idx:phone:${blind('phone', '+13900001111')}`;
  await store.create({ _id: legacyKey, customerId: 'old-1' });
  await store.create({
    _id: 'cust:old-1',
    type: 'customer',
    name: 'Zhao Lei',
    phone: '+13900001111',
    handleList: JSON.stringify([{ kind: 'phone', value: '+13900001111', verified: true }]),
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  });
  assert.equal((await customers.findByPhone('+8613900001111', actor))?.id, 'old-1');
  const r = await customers.resolve([{ kind: 'phone', value: '+8613900001111' }], { actor });
  assert.deepEqual(r, { customerId: 'old-1', created: false });
  const canonical = await store.get<{ customerId: string }>(`idx:phone:${blind('phone', '+8613900001111')}`);
  assert.equal(canonical?.customerId, 'old-1');
  const c = await customers.get('old-1', actor);
  assert.deepEqual(
    c.handles?.map((h) => h.value),
    ['+13900001111', '+8613900001111'],
  );
  await assert.rejects(customers.create({ name: 'Someone else', phone: '13900001111' }, actor), {
    code: 'CUSTOMERS_DUPLICATE_HANDLE',
  });
});

test('the phone region decides how a national number is read', async () => {
  const { customers } = setup('US');
  const c = await customers.create({ name: 'Ann', phone: '(415) 555-0100' }, actor);
  assert.equal(c.phone, '+14155550100');
  await assert.rejects(customers.create({ name: 'Li', phone: '13900001111' }, actor), {
    code: 'CUSTOMERS_INVALID_FIELD',
  });
  assert.throws(() => setup('XX'), TypeError);
});

test('setPhoneRegion() reads national numbers in the new region from then on, and refuses an unknown one', async () => {
  const { customers } = setup('CN');
  customers.setPhoneRegion('US');
  const c = await customers.create({ name: 'New York desk', phone: '(212) 555-0123' }, actor);
  assert.equal(c.phone, '+12125550123');
  assert.throws(() => customers.setPhoneRegion('XX'), /Unknown phone region/);
});

test('create() stores the customer and its phone and email index entries in one commit, and a retry with the same id returns it', async () => {
  const { store, customers } = setup();
  let writes = 0;
  for (const m of ['put', 'create', 'bulkPut'] as const) {
    const orig = store[m].bind(store) as (...a: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      writes++;
      return orig(...a);
    };
  }
  const id = '8f1d1f7e-2a63-4a8e-9d55-3a4c2f9b7e10';
  const input = { id, name: 'Li Lei', phone: '13900002222', email: 'li.lei@example.com' };
  const c = await customers.create(input, actor);
  assert.equal(writes, 1, 'one durable commit (was three: phone index, email index, customer)');
  assert.deepEqual(
    c.handles?.map((h) => h.kind),
    ['phone', 'email'],
  );
  assert.equal((await customers.findByPhone('+8613900002222', actor))?.id, id);
  assert.equal((await customers.create(input, actor)).id, id, 'the retry returns the same customer');
  assert.equal(writes, 1, 'and writes nothing');
  await assert.rejects(customers.create({ name: 'Han Meimei', phone: '139 0000 2222' }, actor), {
    code: 'CUSTOMERS_DUPLICATE_HANDLE',
  });
});

test('create() without a client id skips the retry read: one read fewer than with an id', async () => {
  const { store, customers } = setup();
  let reads = 0;
  const get = store.get.bind(store);
  store.get = ((id: string) => {
    reads++;
    return get(id);
  }) as typeof store.get;
  await customers.create(
    { id: '0b7d6a52-37c5-4c1e-8f0e-7c1f0c2e9a11', name: 'A', phone: '13900003333' },
    actor,
  );
  const withId = reads;
  reads = 0;
  await customers.create({ name: 'B', phone: '13900004444' }, actor);
  assert.equal(reads, withId - 1);
});
