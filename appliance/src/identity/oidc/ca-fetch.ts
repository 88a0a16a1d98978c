import { request as httpsRequest } from 'node:https';

type Init = {
  method?: string;
  headers?: Headers | Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null;
};

/**
 * A fetch for the identity provider's endpoints that trusts `ca` (a private
 * CA's PEM) instead of the system store. Global fetch cannot take a CA without
 * undici's Agent, which Node does not expose. The certificate is always verified.
 */
export function caFetch(ca: string | Buffer): (url: string, init?: Init) => Promise<Response> {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      const headers: Record<string, string> = {};
      if (init.headers instanceof Headers) {
        init.headers.forEach((v, k) => {
          headers[k] = v;
        });
      }
      if (!(init.headers instanceof Headers)) Object.assign(headers, init.headers);
      if (u.protocol !== 'https:') {
        reject(new TypeError(`Cannot fetch ${u.origin} with a private CA: not https`));
        return;
      }
      const req = httpsRequest(
        u,
        { method: init.method ?? 'GET', headers, ca, ...(init.signal ? { signal: init.signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const one of v) out.append(k, one);
              else if (v !== undefined) out.set(k, v);
            }
            const status = res.statusCode ?? 502;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: out }));
          });
        },
      );
      req.on('error', reject);
      const body = init.body;
      if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (body instanceof URLSearchParams) req.end(body.toString());
      else req.end();
    });
}
