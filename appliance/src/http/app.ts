import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from './errors.ts';
import { onError } from './on-error.ts';
import { createRouter } from './router.ts';
import { csrfProtection, securityHeaders, sessionAuth } from './security.ts';
import { wellFormedJsonText } from './text.ts';
import type { AppEnv, SessionResolver } from './types.ts';

export interface HealthSnapshot {
  status: string;
}

export interface AppOptions {
  resolveSession: SessionResolver;
  /** `selfTest`: `/healthz?selftest=1`, the post-update self-test mark-good.sh asks for. */
  health: (request?: { selfTest?: boolean }) => Promise<HealthSnapshot>;
  /** Sub-apps mounted under a base path, e.g. ['/api', identityRoutes(identity)]. */
  mount: Array<[string, OpenAPIHono<AppEnv>]>;
  maxBodyBytes?: number;
  /** Peer address; runtime-specific (node conninfo, Deno's info), so injected. */
  clientIp?: (c: Context<AppEnv>) => string;
  /** Serves the console bundle; runtime-specific, so injected. */
  staticHandler?: MiddlewareHandler<AppEnv>;
  version?: string;
}

/**
 * The whole HTTP surface as a Web-standard `fetch` app: it runs on Node via
 * @hono/node-server and on Deno via `Deno.serve(app.fetch)`.
 */
export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  app.onError(onError);
  app.use('*', async (c, next) => {
    c.set('requestId', randomUUID());
    c.set('clientIp', options.clientIp?.(c) ?? 'unknown');
    c.set('principal', undefined);
    await next();
  });
  app.use('*', securityHeaders());
  app.get('/healthz', async (c) => {
    const h = await options.health({ selfTest: c.req.query('selftest') === '1' });
    // "200 once ready" (operator contract): not while listeners are still opening.
    return c.json(
      h as unknown as Record<string, string>,
      h.status === 'down' || h.status === 'starting' ? 503 : 200,
    );
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxBody,
      onError: () => {
        throw new HttpError('HTTP_BODY_TOO_LARGE', `Request body exceeds ${maxBody} bytes`, { status: 413 });
      },
    }),
  );
  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('/api/*', sessionAuth(options.resolveSession));
  app.use('/api/*', csrfProtection());
  app.use('/api/*', wellFormedJsonText());
  for (const [base, sub] of options.mount) app.route(base, sub);
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Branchline appliance API', version: options.version ?? '0.1.0' },
  });
  app.all('/api/*', () => {
    throw new HttpError('HTTP_NOT_FOUND', 'No such API route', { status: 404 });
  });
  if (options.staticHandler) app.use('*', options.staticHandler);
  return app;
}
