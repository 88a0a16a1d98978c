import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PouchDB } from '../pouch.ts';
import { DEFAULT_FLEET_THRESHOLDS, fleetAlerts, fleetRow } from './fleet.ts';
import { pickLang } from './fleet-i18n.ts';
import { branchFleetKpis, foldContactRecords, rollUp } from './fleet-kpis.ts';
import { renderFleetPage } from './fleet-page.ts';
import type { WitnessReport } from './witness.ts';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const status = (over: Record<string, unknown> = {}) => ({
  _id: 'status',
  at: new Date(NOW - 4_000).toISOString(),
  lagDocs: 0,
  lagSeconds: 0,
  quarantined: 0,
  ...over,
});
const failed: WitnessReport = {
  branch: 'B1',
  ok: false,
  records: 10,
  checkpoints: 1,
  lastCheckpointSeq: 8,
  problems: ['fork: checkpoint 8 root changed'],
};

test('fleetAlerts() raises silent for a branch never heard from or past the limit, lagging past either limit, and witness_failed', () => {
  const rows = [
    fleetRow('A', undefined, undefined, { now: NOW }),
    fleetRow('B', status({ at: new Date(NOW - 31_000).toISOString(), lagSeconds: 500 }), undefined, {
      now: NOW,
    }),
    fleetRow('C', status({ lagDocs: 501 }), undefined, { now: NOW }),
    fleetRow('D', status({ lagSeconds: 61 }), undefined, { now: NOW }),
    fleetRow('E', status(), { report: failed, at: new Date(NOW).toISOString() }, { now: NOW }),
    // At both limits (56 s measured + the doc's 4 s age while docs are pending): not lagging.
    fleetRow('F', status({ lagDocs: 500, lagSeconds: 56 }), undefined, { now: NOW }),
  ];
  assert.deepEqual(
    fleetAlerts(rows, DEFAULT_FLEET_THRESHOLDS).map((a) => `${a.branch}:${a.kind}`),
    ['A:silent', 'B:silent', 'C:lagging', 'D:lagging', 'E:witness_failed'],
  );
  assert.match(fleetAlerts([rows[4]!])[0]!.detail, /fork: checkpoint 8/);
});

test('fleetRow() takes the earliest certificate and ignores malformed figures instead of failing', () => {
  const row = fleetRow(
    'B1',
    status({
      certificates: { server: '2027-01-01T00:00:00.000Z', hqClient: '2026-12-20T00:00:00.000Z', bad: 'x' },
      system: { cpuLoad: 'high' },
      openAlarms: 'many',
      lastBackupAt: new Date(NOW - 7_200_000).toISOString(),
    }),
    undefined,
    { now: NOW },
  );
  assert.equal(row.certExpiresAt, '2026-12-20T00:00:00.000Z');
  assert.equal(row.certName, 'hqClient');
  assert.equal(row.system, undefined);
  assert.equal(row.openAlarms, undefined);
  assert.equal(row.backupAgeHours, 2);
  assert.equal(fleetRow('B2', status({ at: 'yesterday' }), undefined, { now: NOW }).online, false);
});

test('foldContactRecords() counts answered, abandoned, service level, AHT and CSAT per day of queueing', () => {
  const d = '2026-12-01T';
  const rec = (action: string, details: Record<string, unknown>) => ({
    action,
    at: `${d}23:59:00.000Z`,
    details,
  });
  const days = foldContactRecords([
    rec('contact.queued', { contactId: 'a', queuedAt: `${d}08:00:00.000Z`, at: `${d}08:00:00.000Z` }),
    rec('contact.active', { contactId: 'a', queuedAt: `${d}08:00:00.000Z`, at: `${d}08:00:30.000Z` }),
    rec('contact.closed', { contactId: 'a', at: `${d}08:02:30.000Z` }),
    rec('contact.queued', { contactId: 'b', queuedAt: `${d}09:00:00.000Z`, at: `${d}09:00:00.000Z` }),
    rec('contact.active', { contactId: 'b', at: `${d}09:00:05.000Z` }),
    rec('contact.closed', { contactId: 'b', at: `${d}09:01:05.000Z` }),
    rec('contact.csat_recorded', { contactId: 'b', score: 3 }),
    rec('contact.abandoned', { contactId: 'c', queuedAt: `${d}10:00:00.000Z`, at: `${d}10:01:00.000Z` }),
    rec('ticket.created', { contactId: 'd' }),
    { action: 'contact.queued', details: 'withheld by policy' },
    rec('contact.queued', { contactId: '[withheld]', queuedAt: `${d}11:00:00.000Z` }),
    rec('contact.queued', { contactId: { sealed: 'x' }, queuedAt: `${d}11:00:00.000Z` }),
  ]);
  const [k] = rollUp([days, days]);
  assert.equal(k?.day, '2026-12-01');
  assert.equal(k?.contacts, 6);
  assert.equal(k?.answerRate, 0.667);
  assert.equal(k?.serviceLevel, 0.333, 'one of three answered-or-abandoned within 20 s, per branch');
  assert.equal(k?.abandonRate, 0.333);
  assert.equal(k?.ahtSeconds, 90);
  assert.equal(k?.csat, 3);
});

test('the fleet page speaks zh-CN for a Chinese browser and English otherwise', () => {
  assert.equal(pickLang(null, 'zh-CN,zh;q=0.9'), 'zh-CN');
  assert.equal(pickLang(null, 'fr-FR,en;q=0.5'), 'en');
  assert.equal(pickLang('en', 'zh-CN'), 'en');
  assert.equal(pickLang('xx', undefined), 'en');
  const html = renderFleetPage(
    {
      rows: [fleetRow('B<1>', undefined, undefined, { now: NOW })],
      alerts: fleetAlerts([fleetRow('B<1>', undefined, undefined, { now: NOW })]),
      days: [],
      tickets: { ticketsOpen: 0, ticketsResolved: 0, auditRecords: 0 },
    },
    'zh-CN',
  );
  assert.match(html, /<html lang="zh-CN">/);
  assert.match(html, /离线/);
  assert.match(html, /无响应/);
  assert.doesNotMatch(html, /B<1>/, 'branch ids are escaped');
});

test('branchFleetKpis() follows each database from where it last read: new, re-shaped and deleted documents count at the next load', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-fleet-kpis-'));
  const tickets = new PouchDB(path.join(dir, 'tickets'));
  const audit = new PouchDB(path.join(dir, 'audit'));
  try {
    const ticket = (id: string, state: string) => ({ _id: id, f: { state: { v: state } } });
    const rec = (id: string, action: string, contactId: string, at: string) => ({
      _id: id,
      action,
      at,
      details: { contactId, queuedAt: '2026-12-07T08:00:00.000Z', at },
    });
    await tickets.bulkDocs([ticket('ticket:1', 'new'), ticket('ticket:2', 'resolved')]);
    await audit.bulkDocs([
      rec('rec:0001', 'contact.active', 'c1', '2026-12-07T08:00:10.000Z'),
      { _id: 'head', seq: 1 },
    ]);
    const first = await branchFleetKpis(tickets, audit);
    assert.deepEqual(first.tickets, { ticketsOpen: 1, ticketsResolved: 1, auditRecords: 1 });
    assert.equal(first.days[0]?.answered, 1);

    const t1 = await tickets.get('ticket:1');
    await tickets.put({ ...t1, f: { state: { v: 'closed' } } });
    const t2 = await tickets.get('ticket:2');
    await tickets.put({ ...t2, _deleted: true });
    await tickets.put(ticket('ticket:3', 'open'));
    await audit.put(rec('rec:0002', 'contact.abandoned', 'c2', '2026-12-07T08:01:00.000Z'));
    const second = await branchFleetKpis(tickets, audit);
    assert.deepEqual(second.tickets, { ticketsOpen: 1, ticketsResolved: 1, auditRecords: 2 });
    assert.equal(second.days[0]?.contacts, 2);
    assert.equal(second.days[0]?.abandoned, 1);
  } finally {
    await tickets.close();
    await audit.close();
    await rm(dir, { recursive: true, force: true });
  }
});
