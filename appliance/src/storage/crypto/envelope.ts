/** Compact text form of a sealed field: `enc:v1:<keyId>:<base64(nonce ‖ ciphertext)>`. */
export const ENVELOPE_PREFIX = 'enc:v1:';

export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENVELOPE_PREFIX);
}

export function formatEnvelope(keyId: string, sealed: Uint8Array): string {
  return `${ENVELOPE_PREFIX}${keyId}:${Buffer.from(sealed).toString('base64')}`;
}

/** Splits an envelope; base64 has no `:`, so the last one ends the key id (which may hold `:`). */
export function parseEnvelope(envelope: string): { keyId: string; sealed: Uint8Array } | undefined {
  if (!isEnvelope(envelope)) return undefined;
  const body = envelope.slice(ENVELOPE_PREFIX.length);
  const cut = body.lastIndexOf(':');
  if (cut <= 0) return undefined;
  return { keyId: body.slice(0, cut), sealed: new Uint8Array(Buffer.from(body.slice(cut + 1), 'base64')) };
}
