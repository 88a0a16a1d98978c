import { X509Certificate } from 'node:crypto';
import type { PublicRoute } from './serve-node.ts';

/**
 * The local CA for browsers to trust, unauthenticated (it is public; the login
 * page shows its fingerprint to compare out of band):
 *   GET /ca.crt   the PEM certificate (application/x-pem-file, as a download)
 *   GET /ca.json  {fingerprintSha256, subject, validTo}; the fingerprint in
 *                 `openssl x509 -fingerprint -sha256` form (AB:CD:…)
 * @example
 * serveNode(app, { publicRoutes: [localCaRoute(tls.ca)], … });
 */
export function localCaRoute(caPem: string): PublicRoute {
  const cert = new X509Certificate(caPem);
  const info = JSON.stringify({
    fingerprintSha256: cert.fingerprint256,
    subject: cert.subject.replace(/\n/g, ', '),
    validTo: new Date(cert.validTo).toISOString(),
  });
  const common = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  return {
    prefix: '/ca.',
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return new Response('Method Not Allowed\n', {
          status: 405,
          headers: { ...common, allow: 'GET, HEAD' },
        });
      }
      if (path === '/ca.crt') {
        return new Response(caPem, {
          headers: {
            ...common,
            'content-type': 'application/x-pem-file',
            'content-disposition': 'attachment; filename="branchline-local-ca.crt"',
          },
        });
      }
      if (path === '/ca.json') {
        return new Response(info, { headers: { ...common, 'content-type': 'application/json' } });
      }
      return new Response('Not Found\n', { status: 404, headers: common });
    },
  };
}
