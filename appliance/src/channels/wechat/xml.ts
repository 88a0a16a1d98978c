import { XMLParser } from 'fast-xml-parser';
import { assertWellFormedText } from '../../http/index.ts';
import { WechatError } from './errors.ts';

/** Largest callback body (envelope or decrypted message) we read; platform messages are a few KiB. */
export const MAX_XML_BYTES = 64 * 1024;

/** Counts full XML parses so tests can prove hostile payloads were refused before parsing. */
export const xmlCounters = { parse: 0 };

// DTDs are the only way to define entities (XXE, billion laughs); no platform message carries one.
const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!\[INCLUDE|<!\[IGNORE/i;

/** Refuses oversized or DTD-bearing XML without parsing it. */
export function assertSafeXml(text: string): void {
  if (Buffer.byteLength(text, 'utf8') > MAX_XML_BYTES) {
    throw new WechatError('WECHAT_BODY_TOO_LARGE', `XML exceeds ${MAX_XML_BYTES} bytes`, { status: 413 });
  }
  if (FORBIDDEN.test(text)) {
    throw new WechatError('WECHAT_BAD_XML', 'XML with a DTD or entity declaration is refused');
  }
}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: true,
});

/** Flat string fields of the `<xml>` root (nested elements are dropped: no platform field we use is nested). */
export function parseWechatXml(text: string): Record<string, string> {
  assertSafeXml(text);
  xmlCounters.parse++;
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new WechatError('WECHAT_BAD_XML', 'Malformed XML', { cause: err });
  }
  const root = (doc as Record<string, unknown> | undefined)?.['xml'];
  if (root === null || typeof root !== 'object')
    throw new WechatError('WECHAT_BAD_XML', 'Missing <xml> root');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  // NUL (or a lone surrogate) in a field would be stored changed: HTTP_INVALID_TEXT naming the field.
  assertWellFormedText(out);
  return out;
}

/**
 * The `<Encrypt>` value of an envelope, found without a full parse so the
 * signature can be checked before any XML parser sees attacker input.
 */
export function extractEncrypt(text: string): string | undefined {
  const m = /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*<\/Encrypt>/.exec(text);
  return m?.[1] ?? m?.[2];
}
