import type { BranchView, ReportedQuarantine } from './console.ts';
import { ADD_BRANCH_FORM, policyForm } from './enrol-page.ts';
import type { OperatorSummary } from './operators.ts';
import type { IssuedPolicy } from './policy-log.ts';
import type { HqRules } from './validation.ts';

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markup built here from escaped parts, placed in a cell as it is. */
class Raw {
  constructor(readonly html: string) {}
}

function cell(c: unknown): string {
  return `<td>${c instanceof Raw ? c.html : esc(c)}</td>`;
}

function table(testid: string, head: string[], rows: unknown[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('');
  return `<table data-testid="${testid}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
}

/** HQ can only ask; the branch admin decides (data residency). */
function requestForm(branch: string, q: ReportedQuarantine): Raw {
  if (q.releaseRequest)
    return new Raw(`requested: ${esc(q.releaseRequest.note)} (${esc(q.releaseRequest.by)})`);
  return new Raw(
    `<form data-testid="hq-request-release" data-hq-action="/api/branches/${esc(branch)}/quarantine/requests">` +
      hidden('cls', q.cls) +
      hidden('docId', q.docId) +
      hidden('rev', q.rev) +
      `<input name="note" required maxlength="500" placeholder="why release it"><button type="submit">Request release</button><output data-hq-out></output></form>`,
  );
}

function rulesForm(branch: string, rules: HqRules): Raw {
  return new Raw(
    `<form data-testid="hq-rules-${esc(branch)}" data-hq-action="/api/branches/${esc(branch)}/rules" data-hq-method="PUT" data-hq-numbers="maxBytes" data-hq-lists="forbiddenFields">` +
      `<input name="maxBytes" type="number" min="1024" value="${esc(rules.maxBytes ?? 65_536)}">` +
      `<input name="forbiddenFields" value="${esc((rules.forbiddenFields ?? []).join(', '))}">` +
      `<button type="submit">Save rules</button><output data-hq-out></output></form>`,
  );
}

function opForm(op: OperatorSummary, verb: string, label: string, confirm: string): string {
  return (
    `<form data-testid="hq-${verb}-${esc(op.username)}" data-hq-action="/api/operators/${esc(op.username)}/${verb}" ` +
    `data-hq-confirm="${esc(confirm)}"><button type="submit">${esc(label)}</button><output data-hq-out></output></form>`
  );
}

/**
 * Disabling ends the operator's sessions at once, so the browser asks first;
 * so does resetting MFA (their sessions end too). Never offered for oneself.
 */
function operatorAction(op: OperatorSummary, self: string | undefined): Raw | string {
  if (op.username === self) return 'you';
  if (op.disabled)
    return new Raw(opForm(op, 'enable', 'Enable', `Enable operator ${op.username}? They can sign in again.`));
  return new Raw(
    opForm(
      op,
      'disable',
      'Disable',
      `Disable operator ${op.username}? Their sessions end at once and they can no longer sign in.`,
    ) +
      (op.mfa === 'enabled'
        ? opForm(
            op,
            'reset-mfa',
            'Reset MFA',
            `Reset MFA of ${op.username}? Their sessions end and they set up a new authenticator at their next sign-in.`,
          )
        : ''),
  );
}

/** Adds an operator; HQ makes the one-time password and the page shows it once. */
const ADD_OPERATOR =
  `<form data-testid="hq-add-operator" data-hq-action="/api/operators" data-hq-method="POST" data-hq-show="password">` +
  `<label>New operator <input name="username" required pattern="[a-z0-9][a-z0-9._-]{1,31}" data-testid="hq-new-operator"></label>` +
  `<button type="submit">Add operator</button><output data-hq-out data-testid="hq-add-operator-result"></output></form>`;

/** The reveal right: granted or revoked by another operator, each change in the operator log. */
function rolesCell(op: OperatorSummary, self: string | undefined): Raw {
  const reveal = op.roles.includes('reveal');
  const text = esc(op.roles.join(', '));
  if (op.username === self || op.disabled) return new Raw(text);
  return new Raw(
    text +
      (reveal
        ? opForm(op, 'revoke-reveal', 'Revoke reveal', `Revoke the reveal right of ${op.username}?`)
        : opForm(
            op,
            'grant-reveal',
            'Grant reveal',
            `Grant ${op.username} the right to reveal sealed fields? Every reveal is logged here and at the branch.`,
          )),
  );
}

function operatorTable(operators: OperatorSummary[], self: string | undefined): string {
  const th = ['operator', 'status', 'MFA', 'roles', 'action'].map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = operators
    .map(
      (op) =>
        `<tr data-testid="hq-operator-${esc(op.username)}" data-disabled="${op.disabled}">` +
        cell(op.username) +
        cell(
          op.disabled
            ? `disabled${op.disabledBy ? ` by ${op.disabledBy}` : ''} (${op.disabledAt ?? ''})`
            : op.mustChangePassword
              ? 'active (one-time password not yet changed)'
              : 'active',
        ) +
        cell(op.mfa === 'enabled' ? 'enabled' : 'not set up') +
        cell(rolesCell(op, self)) +
        cell(operatorAction(op, self)) +
        `</tr>`,
    )
    .join('');
  return `<table data-testid="hq-operators"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>${ADD_OPERATOR}`;
}

/** The HQ console page: plain HTML plus the console's own script file; no inline script or style (strict CSP). */
export function renderHqPage(
  branches: BranchView[],
  policies: IssuedPolicy[],
  options: { operator?: string; rules?: Record<string, HqRules>; operators?: OperatorSummary[] } = {},
): string {
  const overview = table(
    'hq-branches',
    ['branch', 'health', 'last seen', 'lag (docs)', 'lag (s)', 'quarantine', 'witness', 'tickets', 'audit'],
    branches.map((b) => [
      new Raw(
        `<a href="/records/${encodeURIComponent(b.branch)}/tickets" data-testid="hq-records-${esc(b.branch)}">${esc(b.branch)}</a>`,
      ),
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
    ['branch', 'database', 'document', 'revision', 'reason', 'at', 'release'],
    branches.flatMap((b) =>
      b.quarantine.map((q) => [b.branch, q.cls, q.docId, q.rev, q.reason, q.at, requestForm(b.branch, q)]),
    ),
  );
  const rules = table(
    'hq-rules',
    ['branch', 'max bytes', 'forbidden fields', 'edit'],
    branches.map((b) => {
      const r = options.rules?.[b.branch] ?? {};
      return [
        b.branch,
        r.maxBytes ?? 65_536,
        (r.forbiddenFields ?? []).join(', ') || '—',
        rulesForm(b.branch, r),
      ];
    }),
  );
  const who = options.operator
    ? `<p data-testid="hq-operator">Signed in as ${esc(options.operator)} ` +
      `<form data-testid="hq-sign-out" data-hq-action="/api/session" data-hq-method="DELETE" data-hq-next="/login"><button type="submit">Sign out</button></form>` +
      ` <a href="/log" data-testid="hq-log-link">Operator log</a>` +
      ` <a href="/fleet" data-testid="hq-fleet-link">Fleet</a></p>`
    : '';
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
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ</title>` +
    `<script src="/hq-console.js" defer></script></head><body>${who}` +
    `<h1>Branches</h1>${overview}<h2>Cross-branch KPIs</h2>${kpis}` +
    `<h2>Quarantine (documents HQ refused)</h2>${quarantine}` +
    `<h2>Add branch</h2>${ADD_BRANCH_FORM}` +
    `<h2>Document rules per branch</h2>${rules}<h2>Residency policies issued</h2>${log}` +
    `<h3>Change a field's rule</h3>${policyForm(branches.map((b) => b.branch))}` +
    (options.operators ? `<h2>Operators</h2>${operatorTable(options.operators, options.operator)}` : '') +
    `</body></html>`
  );
}
