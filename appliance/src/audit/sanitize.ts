// sessionId is the session cookie's value: a bearer credential, not an identifier.
const SECRET_KEY =
  /pass(word)?|secret|token|cookie|authorization|totp|^otp$|private|^key$|card|id_?number|cvv|^pin$|^sessionid$/i;
/** Long digit runs look like card or ID numbers; audit records never carry them. */
const LONG_DIGITS = /\d[\d -]{11,}\d/g;
/**
 * UUIDs (call, contact, user ids) often hold all-digit groups that together
 * look like such a run ("…-4358-8314-1379885200d9"); they are identifiers, kept whole.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const MAX_DETAILS_CHARS = 4096;

function maskDigits(text: string): string {
  const ids = [...text.matchAll(UUID)].map((m) => [m.index, m.index + m[0].length] as const);
  return text.replace(LONG_DIGITS, (m: string, at: number) =>
    ids.some(([from, to]) => at >= from && at + m.length <= to) ? m : `***${m.replace(/\D/g, '').slice(-4)}`,
  );
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskDigits(value);
  if (value === null || typeof value !== 'object')
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth > 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function') continue;
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : clean(v, depth + 1);
  }
  return out;
}

/**
 * Makes `details` safe to store: secret-looking keys redacted, card/ID-like
 * digit runs masked, depth and size bounded.
 */
export function sanitizeDetails(details: Record<string, unknown>): Record<string, unknown> {
  const cleaned = clean(JSON.parse(JSON.stringify(details)), 0) as Record<string, unknown>;
  const text = JSON.stringify(cleaned);
  if (text.length <= MAX_DETAILS_CHARS) return cleaned;
  return { truncated: true, keys: Object.keys(cleaned).slice(0, 20) };
}
