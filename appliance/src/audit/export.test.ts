import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, toCsv } from './export-format.ts';
import { memoryAudit, steppingClock } from './test-fixtures.ts';

test('csvCell() quotes per RFC 4180 and defuses formula cells with a leading quote', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell({ a: 1 }), '"{""a"":1}"');
});

test('toCsv() writes a header and CRLF-terminated rows', () => {
  const csv = toCsv([
    {
      seq: 1,
      at: 't',
      actor: '=cmd',
      action: 'a',
      outcome: 'success',
      prevHash: 'p',
      hash: 'h',
      details: { k: 'v' },
    },
  ]);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'seq,at,actor,action,target,outcome,source,details,prevHash,hash');
  assert.equal(lines[1], `1,t,'=cmd,a,,success,,"{""k"":""v""}",p,h`);
  assert.equal(lines[2], '');
});

test('search() filters by actor, action prefix, outcome and time, and pages with after/next', async () => {
  const { audit } = await memoryAudit({ now: steppingClock(Date.UTC(2025, 0, 1)) });
  for (let i = 0; i < 30; i++) {
    await audit.append({
      actor: i % 2 ? 'ann' : 'bob',
      action: i % 3 ? 'user.updated' : 'customer.read',
      outcome: i === 7 ? 'denied' : 'success',
    });
  }
  assert.equal((await audit.search({ actor: 'ann' })).records.length, 15);
  assert.equal((await audit.search({ action: 'user.*' })).records.length, 20);
  assert.deepEqual(
    (await audit.search({ outcome: 'denied' })).records.map((r) => r.seq),
    [8],
  );
  const window = await audit.search({ from: '2025-01-01T00:00:05Z', to: '2025-01-01T08:00:10+08:00' });
  assert.deepEqual(
    window.records.map((r) => r.seq),
    [5, 6, 7, 8, 9],
  );
  const page1 = await audit.search({ limit: 10 });
  assert.equal(page1.next, 10);
  const page2 = await audit.search({ limit: 10, after: page1.next as number });
  assert.equal(page2.records[0]?.seq, 11);
  const latest = await audit.search({ limit: 3, descending: true });
  assert.deepEqual(
    latest.records.map((r) => r.seq),
    [30, 29, 28],
  );
  await assert.rejects(audit.search({ from: 'yesterday' }), TypeError);
  await audit.close();
});

test('exportJsonl() returns one JSON record per line and refuses more than exportMaxRows with AUDIT_EXPORT_TOO_LARGE', async () => {
  const { audit } = await memoryAudit();
  for (let i = 0; i < 12; i++)
    await audit.append({
      actor: 'ann',
      action: 'customer.read',
      target: `customer:${i}`,
      outcome: 'success',
    });
  const lines = (await audit.exportJsonl({ actor: 'ann' })).trim().split('\n');
  assert.equal(lines.length, 12);
  assert.equal(JSON.parse(lines[3] as string).target, 'customer:3');
  await assert.rejects(audit.exportCsv({}, { maxRows: 5 }), { code: 'AUDIT_EXPORT_TOO_LARGE' });
  assert.equal((await audit.exportCsv({ limit: 5 }, { maxRows: 5 })).trim().split('\r\n').length, 6);
  await audit.close();
});
