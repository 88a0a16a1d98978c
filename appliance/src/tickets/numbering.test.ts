import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryDocStore, type NewDoc, type WriteResult } from '../storage/index.ts';
import { agent, makeTickets } from './test-support.ts';

/** Counts the write calls that reach the tickets store (each is one durable commit on LevelDB). */
class CountingStore extends MemoryDocStore {
  writes = 0;
  override put<T extends object>(doc: NewDoc<T>): Promise<WriteResult> {
    this.writes++;
    return super.put(doc);
  }
  override create<T extends object>(doc: T & { _id: string }): Promise<WriteResult> {
    this.writes++;
    return super.create(doc);
  }
  override bulkPut<T extends object>(docs: NewDoc<T>[]) {
    this.writes++;
    return super.bulkPut(docs);
  }
}

test('a new ticket is stored in one commit (history, ticket, index entries, number claim) and numbering continues after a restart', async () => {
  const store = new CountingStore('tickets');
  const first = await makeTickets({ tickets: store });
  const made = await Promise.all(
    [1, 2, 3].map((i) => first.service.lifecycle.create({ subject: `s${i}`, description: 'd' }, agent())),
  );
  assert.deepEqual(made.map((t) => t.number).sort(), ['BR-000001', 'BR-000002', 'BR-000003']);
  assert.equal(store.writes, 3, 'one write per new ticket (was three: counter, history entry, ticket)');
  for (const t of made) {
    const history = await first.service.history(t.id);
    assert.deepEqual(
      history.map((h) => h.action),
      ['created'],
    );
  }
  // A restarted appliance (a new service over the same store) carries on from the stored claims.
  const again = await makeTickets({ tickets: store });
  const next = await again.service.lifecycle.create({ subject: 'after restart', description: 'd' }, agent());
  assert.equal(next.number, 'BR-000004');
});

test('numbering carries on from the counter doc older versions wrote', async () => {
  const store = new MemoryDocStore('tickets');
  await store.put({ _id: 'counter:ticket-number', n: 41 });
  const { service } = await makeTickets({ tickets: store });
  const t = await service.lifecycle.create({ subject: 'upgraded branch', description: 'd' }, agent());
  assert.equal(t.number, 'BR-000042');
});

test('ticket.created is published alongside ticket.updated (their audit records can share one commit), and create() waits for both', async () => {
  const { service, bus, of } = await makeTickets();
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  bus.subscribe('ticket.updated', () => gate);
  let done = false;
  const made = service.lifecycle.create({ subject: 'gate', description: 'd' }, agent()).then((t) => {
    done = true;
    return t;
  });
  for (let i = 0; i < 20 && of('ticket.created').length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(of('ticket.created').length, 1, 'published while ticket.updated handlers still run');
  assert.equal(done, false, 'create() has not answered before every handler settled');
  open();
  assert.equal((await made).number, 'BR-000001');
  assert.deepEqual(of('ticket.updated').length + of('ticket.created').length, 2);
});
