import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { walkIndex } from './index-walk.ts';
import { MemoryDocStore } from './memory-store.ts';

const keys = async (db: MemoryDocStore, o: Omit<Parameters<typeof walkIndex>[1], 'load'>) => {
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const r = await walkIndex<{ v: string }, string>(db, {
      ...o,
      after,
      load: async (es) => es.map((e) => (e.v === 'gone' ? undefined : e.v)),
    });
    seen.push(...r.items);
    after = r.last;
  } while (after !== undefined);
  return seen;
};

describe('walkIndex()', () => {
  it('merges two prefixes by sort key, newest first, pages of 2, listing an item under both once and skipping gone ones', async () => {
    const db = new MemoryDocStore('t');
    for (const [id, v] of <Array<[string, string]>>[
      ['a:1', 'one'],
      ['a:3', 'three'],
      ['b:2', 'two'],
      ['b:3', 'three'],
      ['b:4', 'gone'],
      ['a:5', 'five'],
      ['c:9', 'other'],
    ])
      await db.create({ _id: id, v });
    assert.deepEqual(await keys(db, { prefixes: ['a:', 'b:'], limit: 2, descending: true }), [
      'five',
      'three',
      'two',
      'one',
    ]);
    assert.deepEqual(await keys(db, { prefixes: ['a:', 'b:'], limit: 200 }), ['one', 'two', 'three', 'five']);
    assert.deepEqual(await keys(db, { prefixes: ['a:', 'b:'], limit: 1, descending: true, until: '2' }), [
      'five',
      'three',
      'two',
    ]);
    assert.deepEqual(await keys(db, { prefixes: ['a:', 'b:'], limit: 1, until: '5' }), [
      'one',
      'two',
      'three',
    ]);
    const first = await walkIndex<{ v: string }, string>(db, {
      prefixes: ['a:', 'b:'],
      limit: 1,
      descending: true,
      load: async (es) => es.map((e) => e.v),
      accept: (v) => v !== 'five',
    });
    assert.deepEqual(first, { items: ['gone'], last: '4' });
  });
});
