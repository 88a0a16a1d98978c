import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Digest authentication (RFC 3261 §22, RFC 8760 SHA-256 alongside MD5). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';
export const ALGORITHMS: DigestAlgorithm[] = ['SHA-256', 'MD5'];
/**
 * What an account offers unless set otherwise: MD5 alone. Checked with the Debian
 * clients: sipp 3.6.1 answers only the first challenge and only MD5; baresip 1.0.0
 * (libre) fails the whole 401 when any challenge is not MD5, in any order. Offering
 * SHA-256 beside MD5 (RFC 8760) is a per-account choice for phones that pick.
 */
export const DEFAULT_DIGEST: readonly DigestAlgorithm[] = ['MD5'];

/** Checks an account's offer: one or both algorithms, no repeats, most preferred first. */
export function assertDigestAlgorithms(list: readonly string[]): asserts list is DigestAlgorithm[] {
  if (list.length < 1 || list.length > 2 || new Set(list).size !== list.length)
    throw new RangeError('digestAlgorithms must be one or two of SHA-256, MD5 without repeats');
  for (const a of list)
    if (a !== 'MD5' && a !== 'SHA-256') throw new RangeError(`Unknown digest algorithm ${a}`);
}

export function hashHex(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text)
    .digest('hex');
}

/** HA1 = H(username:realm:password): the only form in which a SIP secret is kept. */
export function ha1(algorithm: DigestAlgorithm, user: string, realm: string, password: string): string {
  return hashHex(algorithm, `${user}:${realm}:${password}`);
}

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** Parses an Authorization header value; undefined when it is not a usable Digest. */
export function parseAuthorization(value: string | undefined): DigestCredentials | undefined {
  if (!value || !/^digest\s/i.test(value)) return undefined;
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (const m of value.slice(7).matchAll(re)) {
    if (m[1]) params.set(m[1].toLowerCase(), m[2] ?? m[3] ?? '');
  }
  const algo = (params.get('algorithm') ?? 'MD5').toUpperCase();
  const algorithm: DigestAlgorithm | undefined =
    algo === 'MD5' ? 'MD5' : algo === 'SHA-256' ? 'SHA-256' : undefined;
  const [username, realm, nonce, uri, response] = ['username', 'realm', 'nonce', 'uri', 'response'].map((k) =>
    params.get(k),
  );
  if (!algorithm || !username || !realm || !nonce || !uri || !response) return undefined;
  const creds: DigestCredentials = { username, realm, nonce, uri, response, algorithm };
  const qop = params.get('qop');
  if (qop) {
    creds.qop = qop;
    creds.nc = params.get('nc') ?? '';
    creds.cnonce = params.get('cnonce') ?? '';
  }
  return creds;
}

export function expectedResponse(creds: DigestCredentials, method: string, ha1Hex: string): string {
  const ha2 = hashHex(creds.algorithm, `${method}:${creds.uri}`);
  const mid = creds.qop ? `${creds.nonce}:${creds.nc}:${creds.cnonce}:${creds.qop}` : creds.nonce;
  return hashHex(creds.algorithm, `${ha1Hex}:${mid}:${ha2}`);
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Stateless nonces: time + random, MACed, so any node can check freshness without a table. */
export class NonceIssuer {
  #key = randomBytes(32);
  #ttlMs: number;
  constructor(ttlMs = 5 * 60_000) {
    this.#ttlMs = ttlMs;
  }
  issue(now = Date.now()): string {
    const body = `${now.toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.#mac(body)}`;
  }
  /** 'ok', 'stale' (valid MAC, expired) or 'bad'. */
  check(nonce: string, now = Date.now()): 'ok' | 'stale' | 'bad' {
    const i = nonce.lastIndexOf('.');
    if (i < 0) return 'bad';
    const body = nonce.slice(0, i);
    const mac = Buffer.from(nonce.slice(i + 1));
    const want = Buffer.from(this.#mac(body));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return 'bad';
    const t = Number.parseInt(body.split('.')[0] ?? '', 36);
    return Number.isFinite(t) && now - t <= this.#ttlMs ? 'ok' : 'stale';
  }
  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url').slice(0, 22);
  }
}

/** One WWW-/Proxy-Authenticate value per algorithm, in the order given (RFC 8760: most preferred first). */
export function challengeHeaders(
  realm: string,
  nonce: string,
  stale = false,
  algorithms: readonly DigestAlgorithm[] = ALGORITHMS,
): string[] {
  return algorithms.map(
    (a) =>
      `Digest realm="${realm}", nonce="${nonce}", algorithm=${a}, qop="auth"${stale ? ', stale=TRUE' : ''}`,
  );
}
