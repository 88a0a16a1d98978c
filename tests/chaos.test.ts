// Issue 10, "no contact lost, no crash": `npm run chaos` at its smallest scale
// (every scenario once, two kill -9s) as a separate process, as an operator runs
// it; the last stdout line is its JSON summary.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from './support/appliance.ts';

interface Summary {
  scenarios: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  unexpected_exits: number;
  kills: number;
  audit_ok: boolean;
  by_scenario: Record<string, { runs: number; acked: number; failed: number }>;
}

test('the chaos suite loses, duplicates and crashes nothing under duplicate callbacks, broken mail, dropped sockets, odd calls and kill -9', {
  timeout: 300_000,
}, async (t) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/chaos.ts', '--scale', '1', '--kills', '2', '--no-big-pdf'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const last = out.trim().split('\n').at(-1) ?? '';
  let summary: Summary;
  try {
    summary = JSON.parse(last) as Summary;
  } catch {
    assert.fail(`no JSON summary (exit ${code}): ${err.slice(-3000)}`);
  }
  const detail = `${last}\n${err.slice(-2000)}`;
  t.diagnostic(last);
  assert.equal(summary.kills, 2, detail);
  assert.ok(summary.acknowledged >= 20, `enough was acknowledged (${summary.acknowledged}): ${detail}`);
  // Every scenario that must end in an acknowledgement got one (a scenario that never
  // succeeds would otherwise pass as "nothing lost").
  const mustAck = [
    ...['wechat-dup-reorder', 'wecom-dup-reorder', 'webchat-drop', 'api-ticket', 'api-customer'],
    ...['sip-ssrc-switch', 'sip-register-flood'],
    ...['office', 'heic', 'gbk', 'six', 'long', 'forward', 'ics', 'malformed'].map((m) => `mail-${m}`),
  ];
  for (const s of mustAck)
    assert.ok((summary.by_scenario[s]?.acked ?? 0) > 0, `${s} had acknowledged deliveries: ${detail}`);
  assert.equal(summary.unexpected_exits, 0, detail);
  assert.equal(summary.lost, 0, detail);
  assert.equal(summary.duplicated, 0, detail);
  assert.equal(summary.audit_ok, true, detail);
  assert.equal(code, 0, detail);
});
