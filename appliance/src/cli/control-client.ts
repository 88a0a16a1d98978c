import { request } from 'node:http';
import type { OpName, OpResult } from './ops.ts';

/** Sends an operation to a running appliance; undefined when none is listening. */
export function callControlSocket(
  socketPath: string,
  op: OpName,
  args: Record<string, string | undefined>,
): Promise<OpResult | undefined> {
  const body = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: `/ops/${op}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as OpResult);
          } catch {
            reject(new Error(`control socket answered ${res.statusCode} with non-JSON`));
          }
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(undefined);
      else reject(err);
    });
    req.end(body);
  });
}
