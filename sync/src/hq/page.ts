import type { BranchView } from './console.ts';
import type { IssuedPolicy } from './policy-log.ts';

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(testid: string, head: string[], rows: unknown[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table data-testid="${testid}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** The HQ console page: plain HTML, no script and no inline style (strict CSP). */
export function renderHqPage(branches: BranchView[], policies: IssuedPolicy[]): string {
  const overview = table(
    'hq-branches',
    ['branch', 'health', 'last seen', 'lag (docs)', 'lag (s)', 'quarantine', 'witness', 'tickets', 'audit'],
    branches.map((b) => [
      b.branch,
      b.health,
      b.lastSeen ?? '—',
      b.lagDocs ?? '—',
      b.lagSeconds ?? '—',
      b.quarantined ?? 0,
      b.witness
        ? b.witness.ok
          ? `ok (${b.witness.checkpoints} checkpoints)`
          : `ALERT: ${b.witness.problems.join('; ')}`
        : '—',
      b.docs['tickets'],
      b.docs['audit'],
    ]),
  );
  const kpis = table(
    'hq-kpis',
    ['branch', 'tickets open', 'tickets resolved', 'audit records'],
    [
      ...branches.map((b) => [b.branch, b.kpis.ticketsOpen, b.kpis.ticketsResolved, b.kpis.auditRecords]),
      [
        'all branches',
        branches.reduce((n, b) => n + b.kpis.ticketsOpen, 0),
        branches.reduce((n, b) => n + b.kpis.ticketsResolved, 0),
        branches.reduce((n, b) => n + b.kpis.auditRecords, 0),
      ],
    ],
  );
  const quarantine = table(
    'hq-quarantine',
    ['branch', 'database', 'document', 'revision', 'reason', 'at'],
    branches.flatMap((b) => b.quarantine.map((q) => [b.branch, q.cls, q.docId, q.rev, q.reason, q.at])),
  );
  const log = table(
    'hq-policy-log',
    ['branch', 'version', 'issued at', 'issued by', 'classes', 'branch runs'],
    policies.map((p) => [
      p.branch,
      p.version,
      p.issuedAt,
      p.issuedBy,
      p.classes.join(', '),
      branches.find((b) => b.branch === p.branch)?.policyVersion ?? '—',
    ]),
  );
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ</title></head><body>` +
    `<h1>Branches</h1>${overview}<h2>Cross-branch KPIs</h2>${kpis}` +
    `<h2>Quarantine (documents HQ refused)</h2>${quarantine}<h2>Residency policies issued</h2>${log}` +
    `</body></html>`
  );
}
