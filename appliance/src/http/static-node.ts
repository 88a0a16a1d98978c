import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { fileResponse, IMMUTABLE } from './static-file.ts';
import type { AppEnv } from './types.ts';

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Serves a built single-page app from an absolute folder: files by path,
 * anything else under GET falls back to index.html (a missing `/assets/*`
 * file is a 404, not the page). Paths are resolved inside the root only (no
 * traversal); pre-compressed `.br`/`.gz` siblings are sent when accepted;
 * hashed assets are immutable for a year, everything else `no-cache`.
 */
export function staticSpa(root: string): MiddlewareHandler<AppEnv> {
  const base = path.resolve(root);
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    if (rel.includes('\0')) return next();
    const file = path.resolve(base, `.${rel}`);
    const inside = file === base || file.startsWith(base + path.sep);
    const asset = inside && file.startsWith(path.join(base, 'assets') + path.sep);
    if (inside && (await isFile(file))) {
      const res = await fileResponse(c.req.raw, file, { cacheControl: asset ? IMMUTABLE : 'no-cache' });
      if (res) return res;
    }
    if (asset) return next();
    const page = await fileResponse(c.req.raw, path.join(base, 'index.html'), { cacheControl: 'no-cache' });
    return page ?? next();
  };
}
