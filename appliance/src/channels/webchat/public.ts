import path from 'node:path';
import { ConversationsError, checkAttachment, MAX_ATTACHMENT_BYTES } from '../../conversations/index.ts';
import { fileResponse } from '../../http/index.ts';
import type { WebchatSettings } from './settings.ts';
import { originAllowed } from './settings.ts';
import type { Uploads } from './uploads.ts';

const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

/** The demo page is ours, so it gets a strict CSP; widget.js/css are meant to be embedded anywhere. */
const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

function cors(origin: string | null, s: WebchatSettings): Record<string, string> {
  const allow = s.origins.includes('*') ? '*' : origin && originAllowed(s, origin) ? origin : '';
  return allow
    ? {
        'Access-Control-Allow-Origin': allow,
        'Access-Control-Allow-Headers': 'content-type, x-branchline-visitor, x-file-name',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        Vary: 'Origin',
      }
    : {};
}

/** Reads a request body up to `limit` bytes; undefined when it is larger. */
async function readCapped(req: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel();
      return undefined;
    }
    parts.push(value);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * `/widget/*`: the bundle and demo page from `root`, and file uploads keyed by
 * the visitor token (the widget then references the upload in a `send` frame).
 */
export function widgetFetch(o: {
  root: string;
  uploads: Uploads;
  vidOf: (token: string) => string;
  settings: () => Promise<WebchatSettings>;
}) {
  const json = (status: number, body: unknown, headers: Record<string, string>) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const s = await o.settings();
    const h = cors(req.headers.get('origin'), s);
    if (url.pathname === '/widget/upload') {
      if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: h });
      if (req.method !== 'POST')
        return json(405, { error: { code: 'HTTP_METHOD', message: 'POST only' } }, h);
      const token = req.headers.get('x-branchline-visitor') ?? '';
      if (!TOKEN.test(token))
        return json(401, { error: { code: 'WEBCHAT_UPLOAD_REFUSED', message: 'No visitor' } }, h);
      const declared = Number(req.headers.get('content-length') ?? '0');
      const data = declared > MAX_ATTACHMENT_BYTES ? undefined : await readCapped(req, MAX_ATTACHMENT_BYTES);
      if (!data) {
        return json(
          413,
          { error: { code: 'CONVERSATIONS_ATTACHMENT_TOO_LARGE', message: 'File too large' } },
          h,
        );
      }
      let name = 'file';
      try {
        name = decodeURIComponent(req.headers.get('x-file-name') ?? 'file');
      } catch {
        // keep the default name
      }
      const file = { name, mime: req.headers.get('content-type') ?? '', data };
      try {
        checkAttachment(file);
      } catch (e) {
        if (e instanceof ConversationsError)
          return json(e.status, { error: { code: e.code, message: e.message } }, h);
        throw e;
      }
      const vid = o.vidOf(token);
      const id = o.uploads.put(vid, file);
      if (!id)
        return json(429, { error: { code: 'WEBCHAT_UPLOAD_REFUSED', message: 'Too many pending files' } }, h);
      return json(201, { id, name, mime: file.mime, bytes: data.byteLength }, h);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 405 });
    const rel = url.pathname.slice('/widget/'.length);
    if (!/^[a-z0-9-]+\.(js|css|html)$/.test(rel)) return new Response('Not found', { status: 404 });
    const ext = path.extname(rel);
    const res = await fileResponse(req, path.join(o.root, rel), {
      // Not content-hashed (embedders reference /widget/widget.js), so revalidated by ETag.
      cacheControl: 'no-cache',
      headers: {
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        ...(ext === '.html'
          ? { 'Content-Security-Policy': DEMO_CSP }
          : { 'Access-Control-Allow-Origin': '*' }),
      },
    });
    return res ?? new Response('Not found', { status: 404 });
  };
}
