import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createLogger } from '../logging/index.ts';
import type { AppEnv } from './types.ts';
import type { WsGateway } from './ws-gateway.ts';

const log = createLogger('http');

/** A module's WebSocket endpoint outside the console's `/api/ws` (e.g. the widget's `/widget/ws`). */
export interface UpgradeHandler {
  path: string;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void | Promise<void>;
}

/**
 * A public, non-API HTTP surface a module serves itself (the widget's files and
 * uploads), outside the console's CSP and session middleware.
 */
export interface PublicRoute {
  prefix: string;
  fetch(req: Request): Response | Promise<Response>;
}

export interface NodeServers {
  httpPort: number;
  httpsPort: number | undefined;
  /** Swaps the HTTPS certificate for new connections (a reissued certificate). */
  setTls(tls: { key: string | Buffer; cert: string | Buffer }): void;
  close(): Promise<void>;
}

const LOOPBACK_PEER = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The plain-HTTP answer when HTTP only redirects: 308 to the same path on the
 * HTTPS port of the host the client asked for (its Host header, parsed as a URL
 * host, so nothing but a host name or address ends up in Location).
 */
export function httpsRedirect(req: Request, httpsPort: number): Response {
  const url = new URL(req.url);
  url.protocol = 'https:';
  url.port = httpsPort === 443 ? '' : String(httpsPort);
  return new Response('Use HTTPS\n', {
    status: 308,
    headers: { location: url.href, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the app on HTTP and, with TLS material, HTTPS. Both carry the
 * WebSocket gateway. Request timeouts bound slow-loris clients.
 */
export async function serveNode(
  app: OpenAPIHono<AppEnv>,
  options: {
    bind: string;
    httpPort: number;
    httpsPort?: number;
    tls?: { key: string | Buffer; cert: string | Buffer };
    gateway?: WsGateway;
    upgrades?: UpgradeHandler[];
    publicRoutes?: PublicRoute[];
    /**
     * Plain HTTP only redirects to HTTPS, except for loopback clients (mark-good.sh,
     * the CLI): set when the bind is not loopback and HTTPS is on.
     */
    redirectHttp?: boolean;
  },
): Promise<NodeServers> {
  const upgrades = options.upgrades ?? [];
  const publicRoutes = options.publicRoutes ?? [];
  const fetch = (req: Request, env: unknown) => {
    if (publicRoutes.length > 0) {
      const path = new URL(req.url).pathname;
      const route = publicRoutes.find((r) => path.startsWith(r.prefix));
      if (route) return route.fetch(req);
    }
    return app.fetch(req, env);
  };
  const servers: HttpServer[] = [];
  const attach = (server: HttpServer) => {
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    if (options.gateway || upgrades.length > 0) {
      const gw = options.gateway;
      server.on('upgrade', (req, socket, head) => {
        const own = upgrades.find((u) => req.url?.split('?')[0] === u.path);
        const handled = own
          ? Promise.resolve(own.handle(req, socket, head))
          : gw
            ? gw.handleUpgrade(req, socket, head)
            : Promise.resolve(void socket.destroy());
        handled.catch((err) => {
          log.warn('websocket upgrade failed', { err });
          socket.destroy();
        });
      });
    }
    servers.push(server);
  };
  let httpsPort: number | undefined;
  const redirect = options.redirectHttp === true && options.tls !== undefined;
  const httpFetch = (
    req: Request,
    env: { incoming?: { socket: { remoteAddress?: string | undefined } } },
  ) => {
    const peer = env.incoming?.socket.remoteAddress ?? '';
    if (redirect && httpsPort !== undefined && !LOOPBACK_PEER.test(peer))
      return httpsRedirect(req, httpsPort);
    return fetch(req, env);
  };
  const http = createAdaptorServer({ fetch: httpFetch }) as HttpServer;
  attach(http);
  let https: HttpServer | undefined;
  if (options.tls && options.httpsPort !== undefined) {
    https = createAdaptorServer({
      fetch,
      createServer: createHttpsServer,
      serverOptions: { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' },
    }) as HttpServer;
    attach(https);
    httpsPort = await listen(https, options.httpsPort, options.bind);
  }
  // HTTPS first, so the redirect always knows its port.
  const httpPort = await listen(http, options.httpPort, options.bind);
  log.info(
    `listening [http:${options.bind}:${httpPort}${httpsPort ? `, https:${httpsPort}` : ''}${redirect ? ', http redirects non-loopback clients to https' : ''}]`,
  );
  let closing: Promise<void> | undefined;
  return {
    httpPort,
    httpsPort,
    setTls: (tls) => {
      (https as unknown as { setSecureContext?: (o: object) => void } | undefined)?.setSecureContext?.({
        key: tls.key,
        cert: tls.cert,
        minVersion: 'TLSv1.2',
      });
    },
    close: () => {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
