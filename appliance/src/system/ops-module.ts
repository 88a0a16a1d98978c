import { X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { BranchModule } from '../modules.ts';
import { createBackup } from './backup.ts';

export interface BackupEntry {
  name: string;
  bytes: number;
  at: string;
}

/** Backups in `<dataDir>/backups`, newest first (half-written `.partial` files left out). */
export async function listBackups(dataDir: string): Promise<BackupEntry[]> {
  const dir = path.join(dataDir, 'backups');
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: BackupEntry[] = [];
  for (const name of names.filter((n) => n.endsWith('.blbak'))) {
    const s = await stat(path.join(dir, name)).catch(() => undefined);
    if (s?.isFile()) out.push({ name, bytes: s.size, at: s.mtime.toISOString() });
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

async function certificate(file: string) {
  const pem = await readFile(file, 'utf8').catch(() => undefined);
  return pem ? new X509Certificate(pem) : undefined;
}

/** The local CA and the server certificate as the admin home shows them (public facts only). */
export async function certificatesOf(dataDir: string) {
  const dir = path.join(dataDir, 'tls');
  const [ca, server] = [
    await certificate(path.join(dir, 'ca.crt')),
    await certificate(path.join(dir, 'server.crt')),
  ];
  return {
    ca: ca
      ? {
          fingerprintSha256: ca.fingerprint256,
          subject: ca.subject.replace(/\n/g, ', '),
          validTo: iso(ca.validTo),
        }
      : null,
    server: server
      ? {
          subjectAltNames: (server.subjectAltName ?? '').split(/,\s*/).filter(Boolean),
          validFrom: iso(server.validFrom),
          validTo: iso(server.validTo),
        }
      : null,
    download: '/ca.crt',
  };
}

const iso = (d: string) => new Date(d).toISOString();

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/**
 * Appliance operations for the admin home (system.manage): the backups on this box and
 * "back up now" (audited as system.backup_created with the admin as actor), and the
 * local CA and server certificate.
 */
export const systemOpsModule: BranchModule = {
  name: 'system.ops',
  async init(ctx) {
    const { dataDir } = ctx.config;
    const app = createRouter();
    let running: Promise<unknown> = Promise.resolve();
    app.use('/system/*', requirePermission('system.manage'));
    app.openapi(
      createRoute({
        method: 'get',
        path: '/system/backups',
        summary: 'Backups on this appliance, newest first, and when the last one was taken',
        responses: { 200: json(z.any(), 'Backups') },
      }),
      async (c) => {
        const backups = await listBackups(dataDir);
        return c.json({ backups, last: backups[0]?.at ?? null }, 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'post',
        path: '/system/backups',
        summary: 'Take an encrypted backup now (one at a time; audited)',
        responses: { 201: json(z.any(), 'Backup taken') },
      }),
      async (c) => {
        const actor = principalOf(c).userId;
        const run = running.then(() => createBackup(dataDir));
        running = run.catch(() => undefined);
        const b = await run;
        await ctx.services.bus.publish('system.backup_created', { file: b.file, bytes: b.bytes }, { actor });
        const s = await stat(b.file);
        return c.json({ name: path.basename(b.file), bytes: b.bytes, at: s.mtime.toISOString() }, 201);
      },
    );
    app.openapi(
      createRoute({
        method: 'get',
        path: '/system/certificates',
        summary: "The local CA's fingerprint and the server certificate's names and expiry",
        responses: { 200: json(z.any(), 'Certificates') },
      }),
      async (c) => c.json(await certificatesOf(dataDir), 200),
    );
    return { routes: [app] };
  },
};
