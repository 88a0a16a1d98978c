import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CryptoFacade, openCrypto, openPouchStore, type PouchDocStore } from '../storage/index.ts';
import { newSession } from './dialogue.ts';
import { decodeRecord, encodeRecord } from './dialogue-codec.ts';
import { DialogueMemory } from './dialogue-memory.ts';
import { DialogueStore } from './dialogue-store.ts';

describe('DialogueMemory on LevelDB', () => {
  let dir: string;
  let crypto: CryptoFacade;
  let raw: PouchDocStore;
  let memory: DialogueMemory;
  const contact = { id: 'c1', customerId: 'cu1' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bl-dialogue-mem-'));
    crypto = await openCrypto(dir);
    raw = await openPouchStore(join(dir, 'db'), 'intelligence');
    memory = new DialogueMemory(new DialogueStore(raw, { crypto }), { idleMs: () => 60_000 });
  });
  after(async () => {
    await raw.close();
    crypto.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('run() serialises two concurrent turns of one chat so both advance the dialogue', async () => {
    const turn = () =>
      memory.run(contact.id, async () => {
        const { record } = await memory.open(contact);
        await new Promise((r) => setTimeout(r, 5));
        record.session.turns++;
        await memory.save(record);
      });
    await Promise.all([turn(), turn(), turn()]);
    const { record, status } = await memory.run(contact.id, () => memory.open(contact));
    assert.equal(status, 'resumed');
    assert.equal(record.session.turns, 3);
  });

  test('open() trusts the store over its cache when the document changed behind it', async () => {
    const store = new DialogueStore(raw, { crypto });
    const loaded = await store.load(contact.id);
    assert.equal(loaded.kind, 'ok');
    if (loaded.kind !== 'ok') return;
    loaded.record.session.turns = 42;
    await store.save(loaded.record, loaded.rev);
    const { record } = await memory.run(contact.id, () => memory.open(contact));
    assert.equal(record.session.turns, 42);
  });

  test('decodeRecord() refuses a newer version, damaged JSON and an unknown slot, and round-trips a good record', () => {
    const session = { ...newSession(), turns: 2, slot: 'appointment_branch' as const, facts: { lang: 'en' } };
    const good = encodeRecord({ contactId: 'c', customerId: 'u', session, updatedAt: 5, reply: 'hi' });
    assert.deepEqual(decodeRecord(good), {
      contactId: 'c',
      customerId: 'u',
      session,
      updatedAt: 5,
      reply: 'hi',
    });
    assert.match((decodeRecord({ ...good, v: 2 }) as { problem: string }).problem, /unknown version 2/);
    assert.ok('problem' in decodeRecord({ ...good, sealed: '{"session":' }));
    const badSlot = JSON.stringify({ session: { ...session, slot: 'pin_code' } });
    assert.ok('problem' in decodeRecord({ ...good, sealed: badSlot }));
    assert.ok('problem' in decodeRecord({ ...good, sealed: null }));
  });
});
