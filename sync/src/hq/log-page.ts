import type { OperatorLogEntry, OperatorLogVerdict } from './operator-log.ts';
import { esc } from './page.ts';

/** What each action means, in the words an auditor reads. */
const ACTIONS: Record<string, string> = {
  'log.chain_started': 'Log chain started (continues the earlier unchained log)',
  'operator.signed_in': 'Signed in',
  'operator.signed_out': 'Signed out',
  'operator.sign_in_failed': 'Sign-in failed (wrong name or password)',
  'operator.sign_in_throttled': 'Sign-in refused: too many failures from this address',
  'operator.locked_out': 'Locked out after repeated failures',
  'operator.mfa_failed': 'Sign-in failed (missing, wrong or reused authenticator code)',
  'operator.mfa_enrolled': 'Set up MFA',
  'operator.mfa_reset': 'Reset MFA of another operator',
  'operator.password_changed': 'Changed password',
  'operator.created': 'Added operator',
  'operator.disabled': 'Disabled operator',
  'operator.enabled': 'Enabled operator',
  'branch.freeze_issued': 'Froze a branch account',
  'branch.rules_changed': 'Changed branch document rules',
  'branch.release_requested': 'Asked a branch to release a quarantined document',
  'branch.added': 'Added a branch (issued its one-time join bundle)',
  'branch.policy_published': 'Published a signed residency policy change',
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

/** The operator log, newest first, under the chain's verdict. */
export function renderLogPage(entries: OperatorLogEntry[], verdict: OperatorLogVerdict): string {
  const status = verdict.ok
    ? `<p data-testid="hq-log-status" data-ok="true">Chain verified: ${verdict.entries} entries, each linked to the one before.</p>`
    : `<p data-testid="hq-log-status" data-ok="false">Chain broken at entry ${verdict.brokenAt}: ${esc(verdict.reason)}.</p>`;
  const rows = [...entries]
    .reverse()
    .map(
      (e) =>
        `<tr data-testid="hq-log-${esc(e.seq)}" data-action="${esc(e.action)}">` +
        `<td>${esc(e.seq)}</td><td>${esc(e.at)}</td><td>${esc(e.actor)}</td>` +
        `<td title="${esc(e.action)}">${esc(actionLabel(e.action))}</td><td>${esc(detailText(e.details ?? {}))}</td></tr>`,
    )
    .join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ — operator log</title>` +
    `<script src="/hq-console.js" defer></script></head><body>` +
    `<p><a href="/">Console</a></p><h1>Operator log</h1>${status}` +
    `<table data-testid="hq-log"><thead><tr><th>#</th><th>at</th><th>operator</th><th>action</th><th>details</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></body></html>`
  );
}
