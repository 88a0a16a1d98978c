import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../audit/index.ts';
import { frame, SD_ID, toSyslog } from './format.ts';

const rec: AuditRecord = {
  seq: 7,
  at: '2026-12-07T10:00:00.123Z',
  actor: 'u:王"小]明\\',
  action: 'customer.created',
  target: 'customer:c\n42',
  outcome: 'success',
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

test('toSyslog() writes an RFC 5424 log-audit message with seq, hash, prevHash, action, actor and object as escaped SD params', () => {
  const m = toSyslog(rec, { hostname: 'branch 01', branchId: 'B01', procId: '42' });
  assert.ok(m.startsWith('<109>1 2026-12-07T10:00:00.123Z branch01 branchline 42 audit ['), m);
  assert.ok(
    m.includes(`[${SD_ID} seq="7" hash="${rec.hash}" prevHash="${rec.prevHash}" action="customer.created"`),
  );
  assert.ok(m.includes('actor="u:王\\"小\\]明\\\\"'), m);
  assert.ok(m.includes('object="customer:c\u{FFFD}42"'), 'a line break cannot split the message');
  assert.ok(m.includes('branch="B01"'));
  assert.ok(m.includes('] \u{FEFF}u:王"小]明\\ customer.created customer:c\u{FFFD}42 success'));
  assert.ok(!/[\n\r]/.test(m));
});

test('toSyslog() marks failure and denied records as warnings and leaves out absent fields', () => {
  const { target, ...noTarget } = rec;
  const m = toSyslog({ ...noTarget, outcome: 'denied' }, { hostname: '', branchId: 'B01' });
  assert.ok(m.startsWith('<108>1 2026-12-07T10:00:00.123Z - branchline - audit '), m);
  assert.ok(!m.includes('object='));
  assert.ok(!m.includes('source='));
});

test('frame() prefixes the byte length (RFC 6587 octet counting), not the character count', () => {
  const f = frame('<109>1 é');
  assert.equal(f.toString('utf8'), '9 <109>1 é');
});
