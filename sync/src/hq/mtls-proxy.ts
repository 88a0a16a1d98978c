import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { branchAccess } from './branch-access.ts';

/** The branch id from a client certificate's `URI:urn:branchline:branch:<ID>` SAN. */
export function branchOfCert(socket: TLSSocket): string | undefined {
  const san = socket.getPeerCertificate()?.subjectaltname ?? '';
  return /URI:urn:branchline:branch:([A-Za-z0-9_-]+)/.exec(san)?.[1];
}

/**
 * Whether a branch may make this request: its own outbound databases, reads of
 * its inbound one (see branch-access.ts); not the server root, `_all_dbs` or `_config`.
 */
export function allowedPath(branch: string, url: string, method = 'GET'): boolean {
  return branchAccess(branch, method, url).ok;
}

export interface MtlsProxyStats {
  /** HTTP requests from authenticated branches (forwarded or 403). */
  requests: number;
  /** Handshakes refused at the TLS layer (no certificate, unknown CA, ...). */
  tlsRefused: number;
  /** Branch ids that completed a handshake. */
  branches: Set<string>;
}

export interface MtlsProxy {
  port: number;
  readonly stats: MtlsProxyStats;
  close(): Promise<void>;
}

/**
 * HTTPS in front of the HQ CouchDB stand-in (pouchdb-server has no mTLS):
 * only clients with a certificate from the HQ CA get through, and each branch
 * only to its own databases.
 */
export async function startMtlsProxy(options: {
  caFile: string;
  certFile: string;
  keyFile: string;
  upstreamPort: number;
  port?: number;
  host?: string;
}): Promise<MtlsProxy> {
  const stats: MtlsProxyStats = { requests: 0, tlsRefused: 0, branches: new Set() };
  const server = https.createServer(
    {
      ca: readFileSync(options.caFile),
      cert: readFileSync(options.certFile),
      key: readFileSync(options.keyFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const branch = branchOfCert(req.socket as TLSSocket);
      stats.requests += 1;
      if (branch) stats.branches.add(branch);
      if (!branch || !allowedPath(branch, req.url ?? '/', req.method)) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'forbidden', reason: 'not this branch' }));
        return;
      }
      const up = http.request(
        {
          host: '127.0.0.1',
          port: options.upstreamPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'x-branchline-branch': branch },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    },
  );
  server.on('tlsClientError', () => {
    stats.tlsRefused += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close() {
      closing ??= new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
      return closing;
    },
  };
}
