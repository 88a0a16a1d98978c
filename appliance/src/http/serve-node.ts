import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createLogger } from '../logging/index.ts';
import type { AppEnv } from './types.ts';
import type { WsGateway } from './ws-gateway.ts';

const log = createLogger('http');

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
  },
): Promise<NodeServers> {
  const servers: HttpServer[] = [];
  const attach = (server: HttpServer) => {
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    if (options.gateway) {
      const gw = options.gateway;
      server.on('upgrade', (req, socket, head) => {
        gw.handleUpgrade(req, socket, head).catch((err) => {
          log.warn('websocket upgrade failed', { err });
          socket.destroy();
        });
      });
    }
    servers.push(server);
  };
  const http = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  attach(http);
  const httpPort = await listen(http, options.httpPort, options.bind);
  let httpsPort: number | undefined;
  if (options.tls && options.httpsPort !== undefined) {
    const https = createAdaptorServer({
      fetch: app.fetch,
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
