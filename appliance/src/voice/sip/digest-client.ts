import { randomBytes } from 'node:crypto';
import { type DigestAlgorithm, expectedResponse, ha1 } from './digest.ts';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  qop: string | undefined;
  opaque: string | undefined;
}

function params(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of value.matchAll(/([a-zA-Z0-9-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g))
    if (m[1]) out.set(m[1].toLowerCase(), m[2] ?? m[3] ?? '');
  return out;
}

/**
 * Picks the strongest usable challenge of a 401/407 (SHA-256 before MD5, RFC 8760);
 * undefined when none is a Digest we support.
 */
export function pickChallenge(values: readonly string[]): DigestChallenge | undefined {
  const parsed: DigestChallenge[] = [];
  for (const v of values) {
    if (!/^digest\s/i.test(v)) continue;
    const p = params(v.slice(7));
    const algo = (p.get('algorithm') ?? 'MD5').toUpperCase();
    const realm = p.get('realm');
    const nonce = p.get('nonce');
    if ((algo !== 'MD5' && algo !== 'SHA-256') || realm === undefined || !nonce) continue;
    const qops = (p.get('qop') ?? '').split(',').map((q) => q.trim());
    parsed.push({
      realm,
      nonce,
      algorithm: algo,
      qop: qops.includes('auth') ? 'auth' : undefined,
      opaque: p.get('opaque'),
    });
  }
  return parsed.find((c) => c.algorithm === 'SHA-256') ?? parsed[0];
}

/** The Authorization / Proxy-Authorization value answering `challenge` (client side of RFC 3261 §22). */
export function digestAuthorization(
  challenge: DigestChallenge,
  request: { method: string; uri: string; username: string; password: string; nc?: number },
): string {
  const cnonce = randomBytes(8).toString('hex');
  const nc = (request.nc ?? 1).toString(16).padStart(8, '0');
  const h1 = ha1(challenge.algorithm, request.username, challenge.realm, request.password);
  const response = expectedResponse(
    {
      username: request.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: request.uri,
      response: '',
      algorithm: challenge.algorithm,
      ...(challenge.qop ? { qop: challenge.qop, nc, cnonce } : {}),
    },
    request.method,
    h1,
  );
  const parts = [
    `username="${request.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${request.uri}"`,
    `response="${response}"`,
    `algorithm=${challenge.algorithm}`,
    ...(challenge.qop ? [`qop=${challenge.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ...(challenge.opaque !== undefined ? [`opaque="${challenge.opaque}"`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}
