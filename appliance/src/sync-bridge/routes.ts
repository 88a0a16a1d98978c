import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, requirePermission } from '../http/index.ts';
import type { SyncBridge } from './bridge.ts';

const Replication = z.object({
  name: z.string(),
  direction: z.enum(['push', 'pull']),
  state: z.string(),
  lastSeq: z.union([z.number(), z.string()]),
  hqUpdateSeq: z.union([z.number(), z.string()]).optional(),
  hqReachable: z.boolean(),
  pendingDocs: z.number(),
  lagSeconds: z.number(),
  docsWritten: z.number(),
  restarts: z.number(),
  lastError: z.string().optional(),
  quarantined: z.number(),
});

const Quarantined = z.object({
  cls: z.string(),
  docId: z.string(),
  rev: z.string(),
  reason: z.string(),
  at: z.string(),
});

const StatusOut = z.object({
  enabled: z.boolean(),
  branchId: z.string(),
  hqUrl: z.string().optional(),
  policyVersion: z.number().optional(),
  lagDocs: z.number().optional(),
  lagSeconds: z.number().optional(),
  quarantined: z.number().optional(),
  replications: z.array(Replication),
  quarantine: z.array(Quarantined),
});

/** GET /sync/status: replication state, lag and quarantine (system.manage). */
export function syncRoutes(deps: { branchId: string; hqUrl?: string; bridge: () => SyncBridge | undefined }) {
  const app = createRouter();
  const status = createRoute({
    method: 'get',
    path: '/sync/status',
    tags: ['sync'],
    summary: 'HQ replication state, lag and quarantine',
    middleware: [requirePermission('system.manage')] as const,
    responses: { 200: { content: { 'application/json': { schema: StatusOut } }, description: 'status' } },
  });
  app.openapi(status, async (c) => {
    const bridge = deps.bridge();
    const base = { branchId: deps.branchId, ...(deps.hqUrl ? { hqUrl: redact(deps.hqUrl) } : {}) };
    if (!bridge) return c.json({ ...base, enabled: false, replications: [], quarantine: [] }, 200);
    const [s, quarantine] = await Promise.all([bridge.status(), bridge.quarantined(100)]);
    return c.json({ ...base, ...s, quarantine }, 200);
  });
  return app;
}

/** Credentials in an HQ URL never reach the console. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
