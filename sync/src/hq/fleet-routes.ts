import type http from 'node:http';
import type { HqConsole } from './console.ts';
import { HqError } from './errors.ts';
import { type FleetAlert, type FleetRow, fleetAlerts, fleetRow } from './fleet.ts';
import { pickLang } from './fleet-i18n.ts';
import { branchFleetKpis, type DayCounters, type DayKpis, rollUp } from './fleet-kpis.ts';
import { renderFleetBranchPage, renderFleetPage } from './fleet-page.ts';
import { sendJson } from './http-util.ts';
import type { BranchKpis } from './kpis.ts';

export interface FleetView {
  rows: FleetRow[];
  alerts: FleetAlert[];
  days: DayKpis[];
  tickets: BranchKpis;
}

/** The dashboard's data for every branch (or one): rows from status docs, alerts, KPIs across them. */
export async function fleetView(con: HqConsole, only?: string): Promise<FleetView> {
  const branches = only ? [only] : con.branches();
  const rows: FleetRow[] = [];
  const perBranch: DayCounters[][] = [];
  const tickets: BranchKpis = { ticketsOpen: 0, ticketsResolved: 0, auditRecords: 0 };
  for (const b of branches) {
    rows.push(fleetRow(b, await con.statusDoc(b), con.witnessOf(b), { thresholds: con.fleetThresholds }));
    const k = await branchFleetKpis(con.branchDb(b, 'tickets'), con.branchDb(b, 'audit'));
    perBranch.push(k.days);
    tickets.ticketsOpen += k.tickets.ticketsOpen;
    tickets.ticketsResolved += k.tickets.ticketsResolved;
    tickets.auditRecords += k.tickets.auditRecords;
  }
  return { rows, alerts: fleetAlerts(rows, con.fleetThresholds), days: rollUp(perBranch), tickets };
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * `GET /fleet`, `GET /fleet/<branch>` (pages, zh-CN or en), `GET /api/fleet`
 * (everything as JSON) and `GET /api/fleet/alerts` (for monitoring: 200 with
 * the alert list, which is empty when all is well). Returns false for other paths.
 */
export async function routeFleet(
  con: HqConsole,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const p = url.pathname;
  if (p === '/api/fleet') {
    sendJson(res, 200, { thresholds: con.fleetThresholds, ...(await fleetView(con)) });
    return true;
  }
  if (p === '/api/fleet/alerts') {
    const v = await fleetView(con);
    sendJson(res, 200, { at: new Date().toISOString(), alerts: v.alerts });
    return true;
  }
  const lang = pickLang(url.searchParams.get('lang'), req.headers['accept-language']);
  if (p === '/fleet') {
    res.writeHead(200, PAGE_HEADERS);
    res.end(renderFleetPage(await fleetView(con), lang));
    return true;
  }
  const m = /^\/fleet\/([A-Za-z0-9_-]{1,32})$/.exec(p);
  if (!m?.[1]) return false;
  if (!con.branches().includes(m[1])) throw new HqError('HQ_NOT_FOUND', 'No such branch', { status: 404 });
  const v = await fleetView(con, m[1]);
  const row = v.rows[0] as FleetRow;
  res.writeHead(200, PAGE_HEADERS);
  res.end(renderFleetBranchPage({ row, alerts: v.alerts, days: v.days, tickets: v.tickets }, lang));
  return true;
}
