import http from 'node:http';
import https from 'node:https';
import type { ArchiveTarget } from '../voice/index.ts';

/**
 * HQ's recording archive (`/_archive/<branch>/…` on the replication port) with
 * the branch's replication credentials (the HQ URL's userinfo, sent as HTTP
 * basic) and, over https, its mTLS agent.
 */
export function hqArchiveTarget(options: {
  hqUrl: string;
  branchId: string;
  agent?: https.Agent | undefined;
  timeoutMs?: number;
}): ArchiveTarget {
  const u = new URL(options.hqUrl);
  const auth =
    u.username || u.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
      : undefined;
  const base = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}/_archive/${encodeURIComponent(options.branchId)}`;
  const call = (method: 'GET' | 'PUT', path: string, body?: Buffer) =>
    new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const url = new URL(`${base}/${path}`);
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(
        url,
        {
          method,
          headers: {
            ...(auth ? { authorization: auth } : {}),
            ...(body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {}),
          },
          ...(url.protocol === 'https:' && options.agent ? { agent: options.agent } : {}),
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => {
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(text || '{}') as Record<string, unknown>;
            } catch {
              // a proxy's HTML error page: the status says enough
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`HQ archive ${method} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  const fail = (what: string, r: { status: number; json: Record<string, unknown> }) =>
    new Error(
      `HQ archive ${what} answered ${r.status}: ${String(r.json['reason'] ?? r.json['error'] ?? '')}`,
    );
  const file = (callId: string, name: string) => `${encodeURIComponent(callId)}/${encodeURIComponent(name)}`;
  return {
    async stored(callId, name) {
      const r = await call('GET', file(callId, name));
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw fail('read', r);
      return { size: Number(r.json['size']), sha256: String(r.json['sha256']) };
    },
    async put(callId, name, offset, bytes) {
      const r = await call('PUT', `${file(callId, name)}?offset=${offset}`, bytes);
      if (r.status !== 200) throw fail('write', r);
      return { size: Number(r.json['size']) };
    },
  };
}
