/**
 * Compact text form of a sealed field: `enc:<tag>:<keyId>:<base64(sealed)>`,
 * where the tag names the suite — `v1` classic (nonce ‖ XChaCha20-Poly1305
 * ciphertext), `g1` gm (iv ‖ SM4-CTR ciphertext ‖ HMAC-SM3 tag).
 */
export type EnvelopeTag = 'v1' | 'g1';
export const ENVELOPE_PREFIX = 'enc:v1:';
const PREFIXES: readonly string[] = ['enc:v1:', 'enc:g1:'];

export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && PREFIXES.some((p) => value.startsWith(p));
}

export function formatEnvelope(tag: EnvelopeTag, keyId: string, sealed: Uint8Array): string {
  return `enc:${tag}:${keyId}:${Buffer.from(sealed).toString('base64')}`;
}

/** The suite tag of an envelope, or undefined when it is not one. */
export function envelopeTag(envelope: string): EnvelopeTag | undefined {
  return isEnvelope(envelope) ? (envelope.slice(4, 6) as EnvelopeTag) : undefined;
}

/** Splits an envelope; base64 has no `:`, so the last one ends the key id (which may hold `:`). */
export function parseEnvelope(
  envelope: string,
): { tag: EnvelopeTag; keyId: string; sealed: Uint8Array } | undefined {
  const tag = envelopeTag(envelope);
  if (!tag) return undefined;
  const body = envelope.slice('enc:v1:'.length);
  const cut = body.lastIndexOf(':');
  if (cut <= 0) return undefined;
  return {
    tag,
    keyId: body.slice(0, cut),
    sealed: new Uint8Array(Buffer.from(body.slice(cut + 1), 'base64')),
  };
}
