/**
 * A small SIP message parser/serializer (RFC 3261 §7). Written here rather than
 * taken from npm `sip` so every malformed input ends in one SipParseError, never
 * in a thrown TypeError deep in a library or a shared header object.
 */

export class SipParseError extends Error {
  override name = 'SipParseError';
}

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export const MAX_MESSAGE_BYTES = 16 * 1024;
const MAX_HEADERS = 80;
const MAX_HEADER_LINE = 2048;

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
};
const SINGLE = new Set(['call-id', 'cseq', 'from', 'to', 'content-length', 'max-forwards', 'content-type']);
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/** Parses one datagram / one framed TCP message; throws SipParseError on anything malformed. */
export function parseSip(buf: Buffer): SipMessage {
  if (buf.length > MAX_MESSAGE_BYTES) throw new SipParseError('message too large');
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) throw new SipParseError('no end of headers');
  const head = buf.subarray(0, end).toString('latin1');
  const lines = head.split('\r\n');
  const first = lines.shift() ?? '';
  const headers = new Map<string, string[]>();
  let count = 0;
  for (const raw of lines) {
    if (raw.length > MAX_HEADER_LINE) throw new SipParseError('header line too long');
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new SipParseError('malformed header line');
    if (++count > MAX_HEADERS) throw new SipParseError('too many headers');
    let name = raw.slice(0, colon).trim().toLowerCase();
    if (!TOKEN.test(name)) throw new SipParseError('bad header name');
    name = COMPACT[name] ?? name;
    const value = raw.slice(colon + 1).trim();
    const list = headers.get(name) ?? [];
    if (SINGLE.has(name) && list.length > 0) throw new SipParseError(`duplicate ${name}`);
    list.push(...(name === 'via' ? splitComma(value) : [value]));
    headers.set(name, list);
  }
  for (const h of ['via', 'call-id', 'cseq', 'from', 'to']) {
    if (!headers.get(h)?.[0]) throw new SipParseError(`missing ${h}`);
  }
  const cseq = /^(\d{1,9})\s+([A-Za-z]+)$/.exec(headers.get('cseq')?.[0] ?? '');
  if (!cseq) throw new SipParseError('bad CSeq');
  const rest = buf.subarray(end + 4);
  const clRaw = headers.get('content-length')?.[0];
  let body = rest;
  if (clRaw !== undefined) {
    if (!/^\d{1,6}$/.test(clRaw)) throw new SipParseError('bad Content-Length');
    const cl = Number(clRaw);
    if (cl > rest.length) throw new SipParseError('body shorter than Content-Length');
    body = rest.subarray(0, cl);
  }
  const resp = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(first);
  if (resp) return { kind: 'response', status: Number(resp[1]), reason: resp[2] ?? '', headers, body };
  const req = /^([A-Z]{2,16}) (\S{1,1024}) SIP\/2\.0$/.exec(first);
  if (!req?.[1] || !req[2]) throw new SipParseError('bad start line');
  if (req[1] !== cseq[2]) throw new SipParseError('CSeq method mismatch');
  return { kind: 'request', method: req[1], uri: req[2], headers, body };
}

function splitComma(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (ch === ',' && !quoted && angle === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'proxy-authenticate': 'Proxy-Authenticate',
  via: 'Via',
};

function canonical(name: string): string {
  return CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** Serializes with a correct Content-Length; header values are written as given. */
export function serializeSip(msg: SipMessage): Buffer {
  const first =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [first];
  for (const [name, values] of msg.headers) {
    if (name === 'content-length') continue;
    for (const v of values) lines.push(`${canonical(name)}: ${v}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), msg.body]);
}

export function header(msg: SipMessage, name: string): string | undefined {
  return msg.headers.get(name)?.[0];
}

/** A response to `req` with its own copies of Via/From/To/Call-ID/CSeq (never shared arrays). */
export function makeResponse(req: SipRequest, status: number, reason: string, toTag?: string): SipResponse {
  const headers = new Map<string, string[]>();
  for (const h of ['via', 'from', 'to', 'call-id', 'cseq']) headers.set(h, [...(req.headers.get(h) ?? [])]);
  const to = headers.get('to')?.[0];
  if (toTag && to && !/;\s*tag=/i.test(to)) headers.set('to', [`${to};tag=${toTag}`]);
  return { kind: 'response', status, reason, headers, body: Buffer.alloc(0) };
}

/** `;name=value` parameter of a header value (case-insensitive name). */
export function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const re = new RegExp(`;\\s*${name}=([^;,\\s>]+)`, 'i');
  return re.exec(value)?.[1];
}

/** The URI inside a name-addr (`"Bob" <sip:bob@host>;tag=x`) or a bare addr-spec. */
export function addrUri(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /<([^>]*)>/.exec(value);
  if (m) return m[1];
  return value.split(';')[0]?.trim();
}

export interface SipUri {
  user: string | undefined;
  host: string;
  port: number | undefined;
}

export function parseUri(uri: string | undefined): SipUri | undefined {
  if (!uri) return undefined;
  const m = /^sips?:(?:([^@;:]+)(?::[^@]*)?@)?(\[[^\]]+\]|[^:;?>]+)(?::(\d{1,5}))?/i.exec(uri);
  if (!m?.[2]) return undefined;
  return {
    user: m[1] ? decodeURIComponent(safe(m[1])) : undefined,
    host: m[2],
    port: m[3] ? Number(m[3]) : undefined,
  };
}

function safe(s: string): string {
  try {
    decodeURIComponent(s);
    return s;
  } catch {
    return encodeURIComponent(s);
  }
}
