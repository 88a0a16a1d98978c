import type { PouchDb } from '../pouch.ts';
import { type BranchKpis, ticketDone } from './kpis.ts';

/** One day's contact counters, summable across branches. */
export interface DayCounters {
  day: string;
  contacts: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  handled: number;
  handleSeconds: number;
  csatCount: number;
  csatSum: number;
}

/** A day's KPIs as the dashboard shows them (rates 0–1; null when nothing to divide by). */
export interface DayKpis extends DayCounters {
  answerRate: number | null;
  serviceLevel: number | null;
  abandonRate: number | null;
  ahtSeconds: number | null;
  csat: number | null;
}

export interface FleetKpis {
  days: DayKpis[];
  tickets: BranchKpis;
}

interface Fact {
  queuedAt?: string;
  activeAt?: string;
  wrapAt?: string;
  closedAt?: string;
  abandonedAt?: string;
  csat?: number;
}

const STAMP: Record<string, 'activeAt' | 'wrapAt' | 'closedAt' | 'abandonedAt'> = {
  'contact.active': 'activeAt',
  'contact.wrap_up': 'wrapAt',
  'contact.closed': 'closedAt',
  'contact.abandoned': 'abandonedAt',
};
/** What sync/src/audit-shape.ts leaves for an id the policy withholds. */
const WITHHELD_ID = '[withheld]';
const secs = (a: string, b: string) => Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000);
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/**
 * Contact KPIs from the audit records that reached HQ: `contact.*` and
 * `contact.csat_recorded`, whose details carry the contact id, when it was
 * queued and when each state began (a token for the id is as good: only
 * equality is used). A policy that withholds audit details leaves nothing to
 * count, and the dashboard then shows no contacts: HQ sees what the policy allows.
 */
export function foldContactRecords(
  records: ReadonlyArray<Record<string, unknown>>,
  options: { thresholdSeconds?: number } = {},
): DayCounters[] {
  const threshold = options.thresholdSeconds ?? 20;
  const facts = new Map<string, Fact>();
  for (const r of records) {
    const action = typeof r['action'] === 'string' ? r['action'] : '';
    if (!action.startsWith('contact.')) continue;
    const d = (r['details'] ?? {}) as Record<string, unknown>;
    const id = d['contactId'];
    // A sealed id is an object; a withheld one is one marker for every contact: neither can be counted.
    if ((typeof id !== 'string' && typeof id !== 'number') || id === WITHHELD_ID) continue;
    const f = facts.get(String(id)) ?? {};
    facts.set(String(id), f);
    if (isTime(d['queuedAt'])) f.queuedAt ??= d['queuedAt'];
    const at = isTime(d['at']) ? d['at'] : isTime(r['at']) ? r['at'] : undefined;
    const stamp = STAMP[action];
    if (stamp && at) f[stamp] ??= at;
    if (action === 'contact.csat_recorded' && typeof d['score'] === 'number') f.csat = d['score'];
  }
  const days = new Map<string, DayCounters>();
  for (const f of facts.values()) {
    const start = f.queuedAt ?? f.activeAt ?? f.closedAt ?? f.abandonedAt;
    if (!start) continue;
    const day = start.slice(0, 10);
    const c = days.get(day) ?? empty(day);
    days.set(day, c);
    c.contacts += 1;
    if (f.activeAt) {
      c.answered += 1;
      if (!f.queuedAt || secs(f.queuedAt, f.activeAt) <= threshold) c.answeredWithin += 1;
      if (f.closedAt) {
        c.handled += 1;
        c.handleSeconds += secs(f.activeAt, f.closedAt);
      }
    } else if (f.abandonedAt) c.abandoned += 1;
    if (f.csat !== undefined) {
      c.csatCount += 1;
      c.csatSum += f.csat;
    }
  }
  return [...days.values()].sort((a, b) => b.day.localeCompare(a.day));
}

function empty(day: string): DayCounters {
  return {
    day,
    contacts: 0,
    answered: 0,
    answeredWithin: 0,
    abandoned: 0,
    handled: 0,
    handleSeconds: 0,
    csatCount: 0,
    csatSum: 0,
  };
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** Sums per-day counters across branches and derives the rates. */
export function rollUp(perBranch: DayCounters[][]): DayKpis[] {
  const days = new Map<string, DayCounters>();
  for (const list of perBranch)
    for (const c of list) {
      const t = days.get(c.day) ?? empty(c.day);
      days.set(c.day, t);
      for (const k of Object.keys(c) as Array<keyof DayCounters>)
        if (k !== 'day') (t[k] as number) += c[k] as number;
    }
  return [...days.values()]
    .sort((a, b) => b.day.localeCompare(a.day))
    .map((c) => ({
      ...c,
      answerRate: ratio(c.answered, c.contacts),
      serviceLevel: ratio(c.answeredWithin, c.answered + c.abandoned),
      abandonRate: ratio(c.abandoned, c.contacts),
      ahtSeconds: c.handled > 0 ? Math.round(c.handleSeconds / c.handled) : null,
      csat: c.csatCount > 0 ? Math.round((c.csatSum / c.csatCount) * 100) / 100 : null,
    }));
}

/** What HQ has read of one database: its documents of interest by id, and the change feed's position. */
interface Folded {
  since: number | string;
  docs: Map<string, Record<string, unknown>>;
}
const folded = new WeakMap<PouchDb, Folded>();

/**
 * The documents under `prefix` (all but design docs when none), kept up to date
 * from the change feed: a page load reads what changed since the last one,
 * not the whole database (a re-shaped or deleted document replaces or leaves the map).
 */
async function current(db: PouchDb, prefix?: string): Promise<Map<string, Record<string, unknown>>> {
  let f = folded.get(db);
  if (!f) {
    f = { since: 0, docs: new Map() };
    folded.set(db, f);
  }
  for (;;) {
    const page = (await db.changes({ since: f.since, include_docs: true, limit: 2000 })) as {
      results: Array<{ id: string; deleted?: boolean; doc?: Record<string, unknown> }>;
      last_seq: number | string;
    };
    for (const r of page.results) {
      if (prefix ? !r.id.startsWith(prefix) : r.id.startsWith('_design/')) continue;
      if (r.deleted || !r.doc) f.docs.delete(r.id);
      else f.docs.set(r.id, r.doc);
    }
    f.since = page.last_seq;
    if (page.results.length < 2000) return f.docs;
  }
}

/** A branch's per-day contact counters and ticket KPIs, from HQ's copies of its tickets and audit. */
export async function branchFleetKpis(
  tickets: PouchDb,
  audit: PouchDb,
): Promise<{ days: DayCounters[]; tickets: BranchKpis }> {
  const recs = await current(audit, 'rec:');
  const days = foldContactRecords([...recs.values()]);
  let ticketsOpen = 0;
  let ticketsResolved = 0;
  for (const doc of (await current(tickets)).values()) {
    if (ticketDone(doc)) ticketsResolved += 1;
    else ticketsOpen += 1;
  }
  return { days, tickets: { ticketsOpen, ticketsResolved, auditRecords: recs.size } };
}
