import type { MiddlewareHandler } from 'hono';
import { HttpError } from './errors.ts';
import type { AppEnv } from './types.ts';

/** A UTF-16 code unit of a surrogate pair without its partner (JSON's `"\ud800"`). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\b/i;
const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** Why a string cannot be stored as given, or undefined when it can. */
export function textProblem(s: string): 'lone_surrogate' | 'nul' | undefined {
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  if (s.includes('\u0000')) return 'nul';
  return undefined;
}

function invalid(field: string, reason: string): HttpError {
  return new HttpError('HTTP_INVALID_TEXT', `Invalid text in ${field}: ${reason.replace(/_/g, ' ')}`, {
    status: 400,
    details: { field, reason },
  });
}

/** First string (key or value) in `value` that fails `check`, with its dotted path. */
function findText(
  value: unknown,
  path: string,
  check: (s: string) => string | undefined,
): { field: string; reason: string } | undefined {
  if (typeof value === 'string') {
    const reason = check(value);
    return reason ? { field: path || '(body)', reason } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const field = path ? `${path}.${k}` : k;
    const reason = check(k);
    if (reason) return { field, reason };
    const found = findText(v, field, check);
    if (found) return found;
  }
  return undefined;
}

/**
 * Throws HTTP_INVALID_TEXT (400, `details.field`) when a parsed JSON value holds a
 * lone surrogate or NUL: what is acknowledged must be what is stored, and storage
 * (UTF-8) would silently turn a lone surrogate into U+FFFD.
 * @example
 * assertWellFormedText(JSON.parse(frame), 'frame');
 */
export function assertWellFormedText(value: unknown, field = ''): void {
  const bad = findText(value, field, textProblem);
  if (bad) throw invalid(bad.field, bad.reason);
}

/**
 * Decodes bytes as strict UTF-8; invalid bytes throw HTTP_INVALID_TEXT naming `field`.
 * @example
 * const xml = decodeUtf8(await c.req.arrayBuffer(), 'body');
 */
export function decodeUtf8(bytes: ArrayBuffer | Uint8Array, field = '(body)'): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw invalid(field, 'invalid_utf8');
  }
}

/**
 * Every JSON request body passes here before any route parses it: invalid UTF-8,
 * lone surrogates and NUL are refused with HTTP_INVALID_TEXT naming the field,
 * instead of being stored as U+FFFD while the response echoes the original.
 * The body is read once; Hono caches it for the route's own `c.req.json()`.
 */
export function wellFormedJsonText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (
      c.req.method === 'GET' ||
      c.req.method === 'HEAD' ||
      !JSON_TYPE.test(c.req.header('content-type') ?? '')
    )
      return next();
    const bytes = await c.req.arrayBuffer();
    let text: string;
    try {
      text = strict.decode(bytes);
    } catch {
      // Name the field: the string that decoding had to repair holds the bad bytes.
      const field = parseOrUndefined(lossy.decode(bytes));
      const bad = findText(field, '', (s) => (s.includes('\uFFFD') ? 'invalid_utf8' : undefined));
      throw invalid(bad?.field ?? '(body)', 'invalid_utf8');
    }
    const parsed = parseOrUndefined(text);
    // Malformed JSON is left to the route's validator (HTTP_BAD_JSON / HTTP_VALIDATION as before).
    if (parsed !== undefined) assertWellFormedText(parsed);
    await next();
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
