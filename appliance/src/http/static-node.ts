import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './types.ts';

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

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Serves a built single-page app from an absolute folder: files by path,
 * anything else under GET falls back to index.html. Paths are resolved
 * inside the root only (no traversal); hashed assets are cached for a year.
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
    const file = path.resolve(base, `.${rel}`);
    const inside = file === base || file.startsWith(base + path.sep);
    const target = inside && (await isFile(file)) ? file : path.join(base, 'index.html');
    if (!(await isFile(target))) return next();
    const ext = path.extname(target);
    c.header('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    c.header(
      'Cache-Control',
      target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return c.body(await readFile(target));
  };
}
