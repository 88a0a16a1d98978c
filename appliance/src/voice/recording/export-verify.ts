import { createHash, createPublicKey, verify } from 'node:crypto';

/** The format tag of an export's manifest; the signed bytes start with DOMAIN. */
export const EXPORT_FORMAT = 'branchline-recording-export/1';
const DOMAIN = 'branchline-recording-export\n';

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  callId: string;
  startedAt: string;
  endedAt?: string;
  status: string;
  truncated: boolean;
  class: string;
  queue?: string;
  contactId?: string;
  customerId?: string;
  files: Array<{ name: string; sha256: string; bytes: number; content: string }>;
  exportedAt: string;
  exportedBy: { userId: string; source?: string };
  reason: string;
  /** Hold events and earlier exports of this recording, oldest first. */
  custody: Array<{
    at: string;
    what: 'hold_created' | 'hold_released' | 'exported';
    by: string;
    reason: string;
    holdId?: string;
    caseRef?: string;
  }>;
  signature?: { alg: 'ed25519'; publicKey: string; value: string };
}

/** JSON with object keys sorted at every depth (what is signed). */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v === undefined ? null : v)).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/** The bytes the appliance signs: a domain tag and the manifest without its signature. */
export function manifestBytes(m: ExportManifest): Buffer {
  const { signature: _s, ...body } = m;
  return Buffer.from(DOMAIN + canonical(body));
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function octal(buf: Buffer, off: number, len: number, n: number) {
  buf.write(`${n.toString(8).padStart(len - 1, '0')}\0`, off, len, 'ascii');
}

/** A POSIX ustar archive of regular files (names ≤ 100 bytes). */
export function writeTar(files: Array<{ name: string; data: Buffer }>, mtimeMs: number): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    octal(h, 100, 8, 0o644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, f.data.length);
    octal(h, 136, 12, Math.floor(mtimeMs / 1000));
    h.fill(' ', 148, 156);
    h.write('0', 156, 'ascii');
    h.write('ustar\u000000', 257, 'binary');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    parts.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** The regular files of a ustar archive; TypeError when it is not one. */
export function readTar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return out;
    if (h.toString('ascii', 257, 262) !== 'ustar')
      throw new TypeError('Cannot read export: not a tar archive');
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = Number.parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size) || off + 512 + size > tar.length)
      throw new TypeError('Cannot read export: truncated archive');
    out.set(name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new TypeError('Cannot read export: archive has no end marker');
}

export interface ExportVerdict {
  ok: boolean;
  /** What failed, one line each (empty when ok). */
  problems: string[];
  manifest?: ExportManifest;
  /** The key the signature was checked against, and whether the caller pinned it. */
  publicKey?: string;
  pinned: boolean;
}

/**
 * Verifies an export offline: the Ed25519 signature over the manifest (against
 * `publicKey`, the appliance's audit key, when given) and every file's SHA-256
 * and size. Works with nothing but Node (no appliance, no data directory).
 * @example
 * const v = verifyRecordingExport(await readFile('call.tar'), { publicKey: pubB64 });
 */
export function verifyRecordingExport(tar: Buffer, options: { publicKey?: string } = {}): ExportVerdict {
  const problems: string[] = [];
  let files: Map<string, Buffer>;
  try {
    files = readTar(tar);
  } catch (e) {
    return { ok: false, problems: [(e as Error).message], pinned: options.publicKey !== undefined };
  }
  const raw = files.get('manifest.json');
  if (!raw)
    return { ok: false, problems: ['manifest.json is missing'], pinned: options.publicKey !== undefined };
  let m: ExportManifest;
  try {
    m = JSON.parse(raw.toString('utf8')) as ExportManifest;
  } catch {
    return { ok: false, problems: ['manifest.json is not JSON'], pinned: options.publicKey !== undefined };
  }
  if (m.format !== EXPORT_FORMAT) problems.push(`unknown manifest format ${JSON.stringify(m.format)}`);
  const key = options.publicKey ?? m.signature?.publicKey;
  if (m.signature?.alg !== 'ed25519' || !key) problems.push('manifest is not signed');
  else {
    if (options.publicKey && m.signature.publicKey !== options.publicKey)
      problems.push('manifest is signed by another key than the one given');
    let good = false;
    try {
      const pk = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key, 'base64').toString('base64url') },
        format: 'jwk',
      });
      good = verify(null, manifestBytes(m), pk, Buffer.from(m.signature.value, 'base64'));
    } catch {
      good = false;
    }
    if (!good) problems.push('manifest signature does not verify');
  }
  const listed = new Set(['manifest.json']);
  for (const f of Array.isArray(m.files) ? m.files : []) {
    listed.add(f.name);
    const data = files.get(f.name);
    if (!data) problems.push(`${f.name} is missing`);
    else if (data.length !== f.bytes || sha256(data) !== f.sha256)
      problems.push(`${f.name} does not match its SHA-256 in the manifest`);
  }
  for (const name of files.keys()) if (!listed.has(name)) problems.push(`${name} is not in the manifest`);
  return {
    ok: problems.length === 0,
    problems,
    manifest: m,
    ...(key ? { publicKey: key } : {}),
    pinned: options.publicKey !== undefined,
  };
}
