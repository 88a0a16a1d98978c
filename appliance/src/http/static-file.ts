import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export type StaticEncoding = 'br' | 'gzip';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
};

/** Cache-Control for a content-hashed file (its name changes with its content). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The coding to send from those pre-compressed on disk, by the request's
 * Accept-Encoding (q-values and `*` honoured; br before gzip at equal q).
 * @example
 * acceptedEncoding('gzip, deflate, br', ['br', 'gzip']); // 'br'
 * acceptedEncoding('br;q=0, gzip', ['br', 'gzip']); // 'gzip'
 */
export function acceptedEncoding(
  header: string | null | undefined,
  available: readonly StaticEncoding[],
): StaticEncoding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (token === '') continue;
    const qp = params.find((p) => p.startsWith('q='));
    const value = qp === undefined ? 1 : Number(qp.slice(2));
    q.set(token === 'x-gzip' ? 'gzip' : token, Number.isFinite(value) ? value : 0);
  }
  let best: StaticEncoding | undefined;
  let bestQ = 0;
  for (const enc of available) {
    const v = q.get(enc) ?? q.get('*') ?? 0;
    if (v > bestQ) {
      best = enc;
      bestQ = v;
    }
  }
  return best;
}

async function fileStat(p: string) {
  return stat(p).then(
    (s) => (s.isFile() ? s : undefined),
    () => undefined,
  );
}

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * A file from disk as a Response: the `.br` or `.gz` written beside it at
 * build time when the client accepts one (with `Vary: Accept-Encoding`), an
 * ETag per variant and 304 for a matching If-None-Match, no body for HEAD.
 * Undefined when `file` is not a regular file.
 */
export async function fileResponse(
  req: Request,
  file: string,
  options: { cacheControl: string; headers?: Record<string, string> },
): Promise<Response | undefined> {
  const plain = await fileStat(file);
  if (!plain) return undefined;
  const variants: Array<[StaticEncoding, NonNullable<Awaited<ReturnType<typeof fileStat>>>]> = [];
  for (const [enc, ext] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    const s = await fileStat(file + ext);
    if (s) variants.push([enc, s]);
  }
  const encoding = acceptedEncoding(
    req.headers.get('accept-encoding'),
    variants.map(([e]) => e),
  );
  const chosen = variants.find(([e]) => e === encoding)?.[1] ?? plain;
  const etag = `"${chosen.size.toString(36)}-${Math.trunc(chosen.mtimeMs).toString(36)}${encoding ? `-${encoding}` : ''}"`;
  const headers: Record<string, string> = {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': options.cacheControl,
    ETag: etag,
    ...(variants.length > 0 ? { Vary: 'Accept-Encoding' } : {}),
    ...options.headers,
  };
  if (etagMatches(req.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  if (encoding) headers['Content-Encoding'] = encoding;
  headers['Content-Length'] = String(chosen.size);
  if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
  const body = await readFile(encoding === 'br' ? `${file}.br` : encoding === 'gzip' ? `${file}.gz` : file);
  return new Response(new Uint8Array(body), { status: 200, headers });
}
