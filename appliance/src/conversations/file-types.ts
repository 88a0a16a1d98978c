/**
 * File types by content: the magic bytes that must back a declared MIME type,
 * and the type a file name implies when a mail client sends
 * `application/octet-stream`.
 */

const starts = (d: Uint8Array, sig: number[], at = 0) => sig.every((b, i) => d[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const head = (d: Uint8Array, n: number) => Buffer.from(d.subarray(0, n)).toString('latin1');

function utf8Text(d: Uint8Array): boolean {
  if (d.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(d);
    return true;
  } catch {
    return false;
  }
}

const zip = (d: Uint8Array) => starts(d, [0x50, 0x4b, 0x03, 0x04]);
const ole = (d: Uint8Array) => starts(d, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** ISO-BMFF `ftyp` box with a HEIF brand (iPhone photos are `heic`). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const heif = (d: Uint8Array) => starts(d, ascii('ftyp'), 4) && HEIF_BRANDS.has(head(d, 12).slice(8, 12));

/** Allowed types and the content check each must pass (text types are checked after conversion to UTF-8). */
export const SNIFF: Readonly<Record<string, (d: Uint8Array) => boolean>> = {
  'image/png': (d) => starts(d, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (d) => starts(d, [0xff, 0xd8, 0xff]),
  'image/gif': (d) => starts(d, ascii('GIF87a')) || starts(d, ascii('GIF89a')),
  'image/webp': (d) => starts(d, ascii('RIFF')) && starts(d, ascii('WEBP'), 8),
  'image/heic': heif,
  'image/heif': heif,
  'image/bmp': (d) => starts(d, ascii('BM')),
  'image/tiff': (d) => starts(d, ascii('II*\0')) || starts(d, ascii('MM\0*')),
  'application/pdf': (d) => starts(d, ascii('%PDF-')),
  'application/msword': ole,
  'application/vnd.ms-excel': ole,
  'application/vnd.ms-powerpoint': ole,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': zip,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': zip,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': zip,
  'application/vnd.oasis.opendocument.text': zip,
  'application/vnd.oasis.opendocument.spreadsheet': zip,
  // China's e-invoice / e-document format (GB/T 33190) is a zip container.
  'application/ofd': zip,
  // WeChat/WeCom voice messages (AMR-NB, RFC 4867 storage format).
  'audio/amr': (d) => starts(d, ascii('#!AMR\n')),
  'text/plain': utf8Text,
  'text/csv': utf8Text,
  // (head() reads bytes as latin1, so a UTF-8 byte-order mark is the three characters ï»¿.)
  'text/calendar': (d) => utf8Text(d) && /^(\xEF\xBB\xBF)?\s*BEGIN:VCALENDAR/i.test(head(d, 64)),
  // A forwarded mail: header lines first (8-bit bodies are allowed).
  'message/rfc822': (d) => /^[\x21-\x39\x3b-\x7e]+:/.test(head(d, 256)),
};

/** The type a file name implies, for clients that send `application/octet-stream`. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  ofd: 'application/ofd',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  txt: 'text/plain',
  csv: 'text/csv',
  ics: 'text/calendar',
  eml: 'message/rfc822',
};

/** `text/plain` from `Text/Plain; charset=gbk`; a generic type is refined by the file name's extension. */
export function normaliseMime(mime: string, name: string): string {
  const m = (mime.toLowerCase().split(';')[0] ?? '').trim();
  if (m !== '' && m !== 'application/octet-stream') return m;
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || m || 'application/octet-stream';
}
