import type { AuditRecord } from '../audit/index.ts';

/**
 * Private-enterprise SD-ID of the audit element. 32473 is the example number of
 * RFC 5612; a firm with its own IANA PEN can match on the name part alone.
 */
export const SD_ID = 'branchline@32473';
const FACILITY_AUDIT = 13; // RFC 5424 table 1: "log audit"
const NOTICE = 5;
const WARNING = 4;
const MAX_VALUE = 1024;
const BOM = '\u{FEFF}';

/** Control characters (line breaks included), which no syslog file keeps intact, become U+FFFD. */
function noControls(v: string): string {
  let out = '';
  for (const c of v) {
    const code = c.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f ? '\u{FFFD}' : c;
  }
  return out;
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3). */
function paramValue(v: string): string {
  return noControls(v.slice(0, MAX_VALUE)).replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** HOSTNAME / APP-NAME field: printable US-ASCII without spaces, or the nil value. */
function header(v: string, max: number): string {
  const clean = v.replace(/[^\u0021-\u007e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

export interface SyslogOptions {
  hostname: string;
  /** BRANCHLINE_BRANCH_ID, so one collector can tell branches apart. */
  branchId: string;
  procId?: string;
}

/**
 * One audit record as an RFC 5424 message: facility log-audit, severity notice
 * (warning for failure/denied), the record's own timestamp, and structured data
 * with seq, hash, prevHash, action, actor, object, outcome. Details stay on the
 * branch (they may carry personal data); the hash commits to them.
 * @example
 * toSyslog(rec, { hostname: 'branch-01', branchId: 'B01' });
 * // '<109>1 2026-12-07T10:00:00.000Z branch-01 branchline 4242 audit [branchline@32473 seq="7" …] …'
 */
export function toSyslog(rec: AuditRecord, options: SyslogOptions): string {
  const severity = rec.outcome === 'success' ? NOTICE : WARNING;
  const params: Array<[string, string | number | undefined]> = [
    ['seq', rec.seq],
    ['hash', rec.hash],
    ['prevHash', rec.prevHash],
    ['action', rec.action],
    ['actor', rec.actor],
    ['object', rec.target],
    ['outcome', rec.outcome],
    ['source', rec.source],
    ['branch', options.branchId],
  ];
  const sd = params
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${paramValue(String(v))}"`)
    .join('');
  const msg = noControls(`${rec.actor} ${rec.action} ${rec.target ?? '-'} ${rec.outcome}`);
  return (
    `<${FACILITY_AUDIT * 8 + severity}>1 ${rec.at} ${header(options.hostname, 255)} branchline ` +
    `${header(options.procId ?? '-', 128)} audit [${SD_ID}${sd}] ${BOM}${msg}`
  );
}

/** RFC 6587 §3.4.1 / RFC 5425 §4.3 octet-counting frame: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
