import { chmod, mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Core } from '../compose.ts';
import { createLogger } from '../logging/index.ts';
import { type OpName, runOp } from './ops.ts';

const log = createLogger('control');
const OPS: ReadonlySet<string> = new Set<OpName>([
  'user.freeze',
  'user.unfreeze',
  'keys.rotate',
  'keys.migrate_suite',
]);

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'control.sock');
}

/**
 * The operator's local channel into a running appliance: HTTP over a unix
 * socket that only the service user can open (dir 0700, socket 0600). It is
 * how `branchline user freeze` reaches live sessions at once.
 */
export async function serveControlSocket(core: Core, dataDir: string): Promise<{ close(): Promise<void> }> {
  const file = controlSocketPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await rm(file, { force: true });
  const app = new Hono();
  app.post('/ops/:op', async (c) => {
    const op = c.req.param('op');
    if (!OPS.has(op)) return c.json({ ok: false, message: `unknown operation ${op}` }, 404);
    const args = (await c.req.json().catch(() => ({}))) as Record<string, string | undefined>;
    const result = await runOp(core, op as OpName, args);
    return c.json(result, result.ok ? 200 : 400);
  });
  app.onError((err, c) => {
    log.error('control operation failed', { err });
    return c.json({ ok: false, message: err.message }, 500);
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  await chmod(file, 0o600);
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() =>
        rm(file, { force: true }),
      );
      return closing;
    },
  };
}
