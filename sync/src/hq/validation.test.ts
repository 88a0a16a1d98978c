import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRemote, PouchDB, type PouchDb } from '../index.ts';
import { type HqCouch, startHqCouch } from './couch.ts';
import { installHqRules } from './validation.ts';

describe('embedded HQ validation', () => {
  let dir: string;
  let hq: HqCouch;
  let local: PouchDb;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-validation-'));
    hq = await startHqCouch({ dataDir: dir });
    local = new PouchDB(path.join(dir, 'branch-local'));
  });
  after(async () => {
    await local?.close();
    await hq?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a replicated update of a document under HQ rules lands at HQ as the new revision', async () => {
    await installHqRules(hq.db('b-V1-audit'), { maxBytes: 4_096 });
    const remote = openRemote(`${hq.url}/b-V1-audit`, {});
    const first = await local.put({ _id: 'meta:head', seq: 1 });
    await local.replicate.to(remote);
    assert.equal((await remote.get('meta:head'))._rev, first.rev);
    let rev = first.rev;
    for (let seq = 2; seq <= 4; seq++) {
      rev = (await local.put({ _id: 'meta:head', _rev: rev, seq })).rev;
      await local.replicate.to(remote);
    }
    const atHq = await remote.get('meta:head');
    assert.equal(atHq._rev, rev, 'HQ holds the branch revision');
    assert.equal(atHq['seq'], 4);
    await remote.close();
  });

  it('a replicated update that breaks HQ rules is refused per document, not dropped silently', async () => {
    await installHqRules(hq.db('b-V1-crm'), { forbiddenFields: ['cardNumber'] });
    const remote = openRemote(`${hq.url}/b-V1-crm`, {});
    const first = await local.put({ _id: 'crm:c1', name: 'A' });
    await local.replicate.to(remote);
    await local.put({ _id: 'crm:c1', _rev: first.rev, name: 'A', cardNumber: '4111' });
    const denied: string[] = [];
    const rep = local.replicate.to(remote, { doc_ids: ['crm:c1'] });
    rep.on('denied', ((e: { id?: string }) => denied.push(String(e.id))) as never);
    await rep;
    assert.deepEqual(denied, ['crm:c1']);
    assert.equal((await remote.get('crm:c1'))._rev, first.rev);
    await remote.close();
  });
});
