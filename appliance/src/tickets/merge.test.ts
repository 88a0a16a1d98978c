import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CryptoFacade, EncryptedDocStore, MemoryDocStore, openCrypto } from '../storage/index.ts';
import { TicketsError } from './errors.ts';
import { TICKET_SEALED_FIELDS, ticketKeyId } from './store.ts';
import { agent, makeTickets } from './test-support.ts';

const root = mkdtempSync(join(tmpdir(), 'bl-tickets-'));
let crypto: CryptoFacade;
before(async () => {
  crypto = await openCrypto(join(root, 'data'));
});
after(() => {
  crypto.close();
  rmSync(root, { recursive: true, force: true });
});

function sealed() {
  const inner = new MemoryDocStore('tickets');
  const store = new EncryptedDocStore(inner, {
    crypto,
    fields: [...TICKET_SEALED_FIELDS],
    keyIdFor: ticketKeyId,
  });
  return { inner, store };
}

describe('merge and split', () => {
  it('merge() closes the source with a link, moves notes and links, and both histories record it', async () => {
    const { service, of } = await makeTickets();
    const a = await service.lifecycle.create(
      { subject: 'dup', description: 'd', contactIds: ['c1'], tags: ['x'] },
      agent(),
    );
    const b = await service.lifecycle.create(
      { subject: 'main', description: 'd', contactIds: ['c2'] },
      agent(),
    );
    const note = await service.notes.add(a.id, { text: 'customer called twice' }, agent());
    const target = await service.merger.merge(a.id, b.id, agent());
    assert.deepEqual(target.links.contactIds, ['c2', 'c1']);
    assert.deepEqual(target.links.mergedFrom, [a.id]);
    assert.deepEqual(target.tags, ['x']);
    const source = await service.get(a.id, agent());
    assert.equal(source.state, 'closed');
    assert.equal(source.links.mergedInto, b.id);
    assert.deepEqual(
      (await service.notes.list(b.id)).map((n) => n.text),
      ['customer called twice'],
    );
    assert.deepEqual(await service.notes.list(a.id), []);
    const histA = (await service.history(a.id)).map((h) => h.action);
    assert.deepEqual(histA, ['created', 'note_added', 'merged_away']);
    const histB = await service.history(b.id);
    assert.deepEqual(histB.at(-1)?.changes.notes, { to: [note.id] });
    assert.equal(of('ticket.merged')[0]?.data.intoTicketId, b.id);
    await assert.rejects(
      service.merger.merge(b.id, a.id, agent()),
      (e: unknown) => e instanceof TicketsError && e.code === 'TICKETS_CLOSED',
    );
  });

  it('split() makes a new ticket from the chosen notes and records it on both tickets', async () => {
    const { service, of } = await makeTickets();
    const t = await service.lifecycle.create(
      { subject: 'two problems', description: 'd', customerId: 'k1' },
      agent(),
    );
    const n1 = await service.notes.add(t.id, { text: 'card blocked' }, agent());
    const n2 = await service.notes.add(t.id, { text: 'app login fails' }, agent());
    const fresh = await service.merger.split(t.id, [n2.id], { subject: 'app login' }, agent());
    assert.equal(fresh.links.splitFrom, t.id);
    assert.equal(fresh.customerId, 'k1');
    assert.equal(fresh.number, 'BR-000002');
    assert.deepEqual(
      (await service.notes.list(fresh.id)).map((n) => n.text),
      ['app login fails'],
    );
    assert.deepEqual(
      (await service.notes.list(t.id)).map((n) => n.id),
      [n1.id],
    );
    assert.deepEqual(
      (await service.history(fresh.id)).map((h) => h.action),
      ['created', 'split_from'],
    );
    assert.deepEqual((await service.history(t.id)).at(-1)?.changes.splitInto, { to: fresh.id });
    assert.equal(of('ticket.split')[0]?.data.newTicketId, fresh.id);
  });
});

describe('encryption, attachments and audited reads', () => {
  it('seals description, notes and attachments at rest under the customer key and reads them back', async () => {
    const { inner, store } = sealed();
    const { service, reads } = await makeTickets({ tickets: store });
    const t = await service.lifecycle.create(
      { subject: 'Card 6222 lost', description: 'ID 110101199003071234', customerId: 'k9' },
      agent(),
    );
    await service.notes.add(t.id, { text: 'secret note' }, agent());
    const att = await service.notes.attach(
      t.id,
      { name: 'scan.png', mime: 'image/png', data: new Uint8Array([1, 2, 3]) },
      agent(),
    );
    const raw = JSON.stringify(await inner.list({}));
    for (const plain of [
      '110101199003071234',
      'secret note',
      'Card 6222 lost',
      Buffer.from([1, 2, 3]).toString('base64'),
    ]) {
      assert.equal(raw.includes(plain), false, `${plain} must not be stored in clear`);
    }
    const view = await service.view(t.id, agent('reader'));
    assert.equal(view.ticket.description, 'ID 110101199003071234');
    assert.equal(view.notes[0]?.text, 'secret note');
    assert.deepEqual([...(await service.notes.file(t.id, att.id)).data], [1, 2, 3]);
    assert.deepEqual(reads, [`reader:${t.id}`]);
    assert.deepEqual(
      view.history.map((h) => h.action),
      ['created', 'note_added', 'attachment_added'],
    );
    assert.equal(
      JSON.stringify(view.history).includes('110101199003071234'),
      false,
      'history never holds personal text',
    );
  });

  it('seals custom fields and their history at rest, and shredding the customer leaves them empty', async () => {
    const { inner, store } = sealed();
    const { service } = await makeTickets({ tickets: store });
    const t = await service.lifecycle.create(
      { subject: 's', description: 'd', customerId: 'k-shred', fields: { policy_no: 'PN-7731-0042' } },
      agent(),
    );
    await service.lifecycle.update(t.id, { fields: { account: '6222021234567890123' } }, agent());
    const raw = JSON.stringify(await inner.list({}));
    for (const plain of ['PN-7731-0042', '6222021234567890123', 'policy_no', 'account'])
      assert.equal(raw.includes(plain), false, `${plain} must not be stored in clear`);
    const read = await service.get(t.id, agent());
    assert.deepEqual(read.fields, { policy_no: 'PN-7731-0042', account: '6222021234567890123' });
    assert.deepEqual((await service.history(t.id)).at(-1)?.changes.fields, {
      from: { policy_no: 'PN-7731-0042' },
      to: { policy_no: 'PN-7731-0042', account: '6222021234567890123' },
    });
    assert.equal(await crypto.shred('cust:k-shred'), true);
    assert.deepEqual((await service.get(t.id, agent())).fields, {});
    assert.deepEqual(
      (await service.history(t.id)).map((h) => h.changes),
      [{}, {}],
      'history values went with the customer key',
    );
  });

  it('refuses an attachment over the size limit with TICKETS_ATTACHMENT_TOO_LARGE', async () => {
    const { service } = await makeTickets({ maxAttachmentBytes: 10 });
    const t = await service.lifecycle.create({ subject: 's', description: 'd' }, agent());
    await assert.rejects(
      service.notes.attach(t.id, { name: 'big', mime: 'application/pdf', data: new Uint8Array(11) }, agent()),
      (e: unknown) =>
        e instanceof TicketsError && e.code === 'TICKETS_ATTACHMENT_TOO_LARGE' && e.status === 413,
    );
  });
});
