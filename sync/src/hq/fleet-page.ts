import type { FleetAlert, FleetRow } from './fleet.ts';
import { type FleetLang, type FleetText, fleetText } from './fleet-i18n.ts';
import type { DayKpis } from './fleet-kpis.ts';
import type { BranchKpis } from './kpis.ts';
import { esc } from './page.ts';

const dash = (v: unknown, t: FleetText) => (v === undefined || v === null ? t.unknown : String(v));
const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

function td(field: string, value: unknown, t: FleetText): string {
  return `<td data-field="${field}">${esc(dash(value, t))}</td>`;
}

function witnessText(r: FleetRow, t: FleetText): string {
  if (!r.witness) return t.witnessNone;
  return `${r.witness.ok ? t.witnessOk : t.witnessFailed} (${r.witness.at})`;
}

function rowCells(r: FleetRow, t: FleetText): string {
  return (
    `<td data-field="branch"><a href="/fleet/${esc(r.branch)}">${esc(r.branch)}</a></td>` +
    `<td data-field="state" data-online="${r.online}">${esc(r.online ? t.online : t.offline)}</td>` +
    td('lastSeen', r.lastSeen, t) +
    td('lagDocs', r.lagDocs, t) +
    td('lagSeconds', r.lagSeconds, t) +
    td('quarantined', r.quarantined, t) +
    `<td data-field="witness" data-ok="${r.witness ? r.witness.ok : ''}">${esc(witnessText(r, t))}</td>` +
    td('version', r.applianceVersion, t) +
    td('certExpiresAt', r.certExpiresAt, t) +
    td('cpu', r.system?.cpuLoad, t) +
    td('mem', r.system?.memUsedPct, t) +
    td('disk', r.system?.diskFreePct, t) +
    td('backupAgeHours', r.lastBackupAt ? r.backupAgeHours : t.never, t) +
    td('openAlarms', r.openAlarms, t)
  );
}

function head(cols: string[]): string {
  return `<thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
}

function branchTable(rows: FleetRow[], t: FleetText): string {
  const cols = [t.branch, t.state, t.lastSeen, t.lagDocs, t.lagS, t.quarantined, t.witness, t.version];
  const body = rows
    .map(
      (r) => `<tr data-testid="fleet-row-${esc(r.branch)}" data-online="${r.online}">${rowCells(r, t)}</tr>`,
    )
    .join('');
  return `<table data-testid="fleet-branches">${head([...cols, t.cert, t.cpu, t.mem, t.disk, t.backup, t.alarms])}<tbody>${body}</tbody></table>`;
}

function alertList(alerts: FleetAlert[], t: FleetText): string {
  if (alerts.length === 0) return `<p data-testid="fleet-alerts" data-count="0">${esc(t.noAlerts)}</p>`;
  const items = alerts
    .map(
      (a) =>
        `<li data-testid="fleet-alert" data-branch="${esc(a.branch)}" data-kind="${a.kind}">` +
        `<strong>${esc(a.branch)}: ${esc(t[`alert_${a.kind}`])}</strong> — ${esc(a.detail)}</li>`,
    )
    .join('');
  return `<ul data-testid="fleet-alerts" data-count="${alerts.length}">${items}</ul>`;
}

function kpiTable(days: DayKpis[], t: FleetText): string {
  const body = days
    .map(
      (d) =>
        `<tr data-testid="fleet-kpi-${esc(d.day)}"><td>${esc(d.day)}</td><td data-field="contacts">${d.contacts}</td>` +
        `<td data-field="answerRate">${pct(d.answerRate)}</td><td data-field="ahtSeconds">${dash(d.ahtSeconds, t)}</td>` +
        `<td data-field="serviceLevel">${pct(d.serviceLevel)}</td><td data-field="abandonRate">${pct(d.abandonRate)}</td>` +
        `<td data-field="csat">${dash(d.csat, t)}</td></tr>`,
    )
    .join('');
  return `<table data-testid="fleet-kpis">${head([t.day, t.contacts, t.answerRate, t.aht, t.serviceLevel, t.abandonment, t.csat])}<tbody>${body}</tbody></table>`;
}

function ticketLine(k: BranchKpis, t: FleetText): string {
  return (
    `<p data-testid="fleet-tickets">${esc(t.tickets)}: ${esc(t.ticketsOpen)} ${k.ticketsOpen}, ` +
    `${esc(t.ticketsResolved)} ${k.ticketsResolved}; ${esc(t.auditRecords)} ${k.auditRecords}</p>`
  );
}

function page(lang: FleetLang, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Branchline HQ — ${esc(title)}</title>` +
    `<script src="/hq-console.js" defer></script></head><body>${body}</body></html>`
  );
}

/** `/fleet`: every branch, the alerts, and the KPIs across branches. */
export function renderFleetPage(
  input: { rows: FleetRow[]; alerts: FleetAlert[]; days: DayKpis[]; tickets: BranchKpis },
  lang: FleetLang,
): string {
  const t = fleetText(lang);
  return page(
    lang,
    t.title,
    `<p><a href="/">${esc(t.console)}</a> · <a href="/fleet?lang=en">English</a> · <a href="/fleet?lang=zh-CN">中文</a></p>` +
      `<h1>${esc(t.title)}</h1><h2>${esc(t.alerts)}</h2>${alertList(input.alerts, t)}` +
      `<h2>${esc(t.branches)}</h2>${branchTable(input.rows, t)}` +
      `<h2>${esc(t.kpis)}</h2>${kpiTable(input.days, t)}${ticketLine(input.tickets, t)}`,
  );
}

/** `/fleet/<branch>`: one branch's row, its alerts, alarms, witness problems and KPIs. */
export function renderFleetBranchPage(
  input: { row: FleetRow; alerts: FleetAlert[]; days: DayKpis[]; tickets: BranchKpis },
  lang: FleetLang,
): string {
  const t = fleetText(lang);
  const { row } = input;
  const alarms = (row.alarms ?? [])
    .map((a) => `<li data-testid="fleet-alarm">${esc(a.at)} ${esc(a.severity)} ${esc(a.alarm)}</li>`)
    .join('');
  const problems = (row.witness?.problems ?? []).map((p) => `<li>${esc(p)}</li>`).join('');
  return page(
    lang,
    `${t.detail} ${row.branch}`,
    `<p><a href="/fleet">${esc(t.back)}</a></p><h1 data-testid="fleet-branch">${esc(t.detail)} ${esc(row.branch)}</h1>` +
      `<h2>${esc(t.alerts)}</h2>${alertList(input.alerts, t)}${branchTable([row], t)}` +
      `<h2>${esc(t.alarmList)}</h2><ul data-testid="fleet-alarms">${alarms}</ul>` +
      (problems
        ? `<h2>${esc(t.problems)}</h2><ul data-testid="fleet-witness-problems">${problems}</ul>`
        : '') +
      `<h2>${esc(t.kpis)}</h2>${kpiTable(input.days, t)}${ticketLine(input.tickets, t)}`,
  );
}
