import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LEGACY_LOG_FILE, OPERATOR_LOG_FILE, OperatorLog, verifyOperatorLog } from './operator-log.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-oplog-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fresh(name: string): Promise<string> {
  const d = path.join(dir, name);
  await rm(d, { recursive: true, force: true });
  await mkdir(d, { recursive: true });
  return d;
}

describe('HQ operator log', () => {
  it('chains each entry to the one before, survives a reopen, and verifies', async () => {
    const d = await fresh('plain');
    const log = new OperatorLog(d);
    await log.record('operator.signed_in', 'admin', { ip: '127.0.0.1' });
    await log.record('operator.created', 'admin', { username: 'analyst' });
    const again = new OperatorLog(d);
    await again.record('operator.signed_out', 'admin');
    const { entries, verdict } = await again.read();
    assert.deepEqual(verdict, { ok: true, entries: 3 });
    assert.deepEqual(
      entries.map((e) => [e.seq, e.action]),
      [
        [1, 'operator.signed_in'],
        [2, 'operator.created'],
        [3, 'operator.signed_out'],
      ],
    );
    assert.equal(entries[2]?.prev, entries[1]?.hash);
  });

  it('shows "broken at N" when one stored entry is edited, and at the next when one is deleted', async () => {
    const d = await fresh('tamper');
    const log = new OperatorLog(d);
    for (const u of ['a1', 'a2', 'a3', 'a4']) await log.record('operator.created', 'admin', { username: u });
    const file = path.join(d, OPERATOR_LOG_FILE);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const edited = lines.map((l, i) => (i === 2 ? l.replace('"username":"a3"', '"username":"a9"') : l));
    assert.notDeepEqual(edited, lines, 'the edit changed the entry');
    await writeFile(file, `${edited.join('\n')}\n`);
    const after = await new OperatorLog(d).read();
    assert.equal(after.verdict.ok, false);
    assert.equal(!after.verdict.ok && after.verdict.brokenAt, 3);

    const dropped = lines.filter((_, i) => i !== 1).join('\n');
    const v = verifyOperatorLog(dropped);
    assert.equal(!v.ok && v.brokenAt, 2);
    assert.deepEqual(verifyOperatorLog(lines.join('\n')), { ok: true, entries: 4 });
  });

  it('starts the chain beside an old unchained console-audit.jsonl with its digest, keeps the old file, and notices it changing', async () => {
    const d = await fresh('legacy');
    const old = '{"at":"2026-01-01T00:00:00.000Z","action":"operator.signed_in","actor":"admin"}\n';
    await writeFile(path.join(d, LEGACY_LOG_FILE), old);
    const log = new OperatorLog(d);
    await log.record('operator.signed_in', 'admin');
    const { entries, verdict } = await log.read();
    assert.deepEqual(verdict, { ok: true, entries: 2 });
    assert.equal(entries[0]?.action, 'log.chain_started');
    assert.equal(entries[0]?.details['legacyEntries'], 1);
    assert.equal(
      await readFile(path.join(d, LEGACY_LOG_FILE), 'utf8'),
      old,
      'the old file is kept as it was',
    );

    await writeFile(path.join(d, LEGACY_LOG_FILE), old.replace('admin', 'nobody'));
    const changed = await log.read();
    assert.equal(!changed.verdict.ok && changed.verdict.brokenAt, 1);
  });
});
