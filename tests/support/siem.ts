import assert from 'node:assert/strict';
import type { RunningAppliance } from './appliance.ts';
import { totpCode } from './bootstrap.ts';
import { ApiClient } from './client.ts';
import type { Received } from './rsyslog.ts';

export interface AuditRow {
  seq: number;
  hash: string;
  prevHash: string;
  action: string;
  actor: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** An auditor (an MFA role: audit.read) through first sign-in, password change and TOTP enrolment. */
export async function signedInAuditor(app: RunningAppliance, admin: ApiClient): Promise<ApiClient> {
  const ok = (r: { status: number; json: unknown }, what: string) =>
    assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
  const created = await admin.request('POST', '/api/users', {
    username: 'siem.auditor',
    displayName: 'SIEM auditor',
    roles: ['auditor'],
  });
  ok(created, 'create auditor');
  const otp = created.json['oneTimePassword'] as string;
  const first = new ApiClient(app.base);
  ok(await first.login('siem.auditor', otp), 'first login');
  const password = 'auditor password 2026 long';
  ok(
    await first.request('POST', '/api/auth/password', { currentPassword: otp, newPassword: password }),
    'password',
  );
  const setup = await first.request('POST', '/api/auth/mfa/setup', {});
  ok(setup, 'mfa setup');
  const secret = setup.json['secret'] as string;
  ok(await first.request('POST', '/api/auth/mfa/confirm', { code: totpCode(secret) }), 'mfa confirm');
  const auditor = new ApiClient(app.base);
  ok(await auditor.login('siem.auditor', password, totpCode(secret, 1)), 'auditor login');
  return auditor;
}

/** Every audit record, ascending, through the auditor API (searching is not itself audited). */
export async function auditRecords(client: ApiClient): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  let after = 0;
  for (;;) {
    const r = await client.request('GET', `/api/audit?limit=1000&after=${after}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const page = r.json['records'] as AuditRow[];
    out.push(...page);
    if (page.length < 1000) return out;
    after = page.at(-1)!.seq;
  }
}

/** The `siem` part of /healthz (and the whole body). */
export async function siemHealth(app: RunningAppliance) {
  const body = (await (await fetch(`${app.base}/healthz`)).json()) as {
    status: string;
    checks: Record<string, { ok: boolean; detail?: string }>;
    siem?: {
      state: string;
      cursor: number;
      lastSeq: number;
      backlog: number;
      sent: number;
      connectAttempts: number;
      lastSentAt?: string;
      lastError?: string;
      alarms: string[];
    };
  };
  return { ...body, siem: body.siem ?? assert.fail(`no siem in /healthz: ${JSON.stringify(body)}`) };
}

/**
 * Asserts the collector got records 1..records.length exactly once each, in
 * sequence order, parsed by rsyslog as RFC 5424 with this appliance's
 * structured data, and that each hash (and previous hash) is the stored record's.
 */
export function assertDeliveredOnceInOrder(received: Received[], records: AuditRow[]): void {
  const seqs = received.map((m) => Number(m.sd['seq']));
  const dupes = seqs.filter((s, i) => seqs.indexOf(s) !== i);
  assert.deepEqual(dupes, [], 'no sequence arrived twice');
  assert.deepEqual(
    seqs,
    records.map((r) => r.seq),
    'every record arrived, in order',
  );
  received.forEach((m, i) => {
    const rec = records[i]!;
    assert.equal(m.version, '1', 'rsyslog parsed an RFC 5424 message');
    assert.equal(m.appName, 'branchline');
    assert.equal(m.msgId, 'audit');
    assert.equal(m.sdId, 'branchline@32473');
    assert.equal(m.sd['hash'], rec.hash, `hash of seq ${rec.seq}`);
    assert.equal(m.sd['prevHash'], rec.prevHash, `prevHash of seq ${rec.seq}`);
    assert.equal(m.sd['action'], rec.action, `action of seq ${rec.seq}`);
    assert.equal(m.sd['actor'], rec.actor, `actor of seq ${rec.seq}`);
    assert.equal(m.sd['object'], rec.target, `object of seq ${rec.seq}`);
  });
}
