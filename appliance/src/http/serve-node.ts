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
  close(): Promise<void>;
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
  const http = createAdaptorServer({ fetch }) as HttpServer;
  attach(http);
  const httpPort = await listen(http, options.httpPort, options.bind);
  let httpsPort: number | undefined;
  if (options.tls && options.httpsPort !== undefined) {
    const https = createAdaptorServer({
      fetch,
      createServer: createHttpsServer,
      serverOptions: { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' },
    }) as HttpServer;
    attach(https);
    httpsPort = await listen(https, options.httpsPort, options.bind);
  }
  log.info(`listening [http:${options.bind}:${httpPort}${httpsPort ? `, https:${httpsPort}` : ''}]`);
  let closing: Promise<void> | undefined;
  return {
    httpPort,
    httpsPort,
    close: () => {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
