import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { SyncBridge } from './bridge.ts';
import { SyncBridgeError } from './errors.ts';

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
  id: z.string(),
  releaseRequest: z.object({ note: z.string(), by: z.string(), at: z.string() }).optional(),
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

const QuarantineId = z.object({ id: z.string().min(3).max(600).startsWith('q:') });

/** What every sync route shares: the `sync` tag and the system.manage guard. */
const guarded = { tags: ['sync'], middleware: [requirePermission('system.manage')] };

const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { content: { 'application/json': { schema } }, description },
});

/**
 * GET /sync/status: replication state, lag and quarantine; GET /sync/quarantine
 * and POST /sync/quarantine/{id}/release|discard: the branch admin's decision
 * on documents HQ refused (all system.manage).
 */
export function syncRoutes(deps: { branchId: string; hqUrl?: string; bridge: () => SyncBridge | undefined }) {
  const app = createRouter();
  const status = createRoute({
    method: 'get',
    path: '/sync/status',
    ...guarded,
    summary: 'HQ replication state, lag and quarantine',
    responses: ok(StatusOut, 'status'),
  });
  app.openapi(status, async (c) => {
    const bridge = deps.bridge();
    const base = { branchId: deps.branchId, ...(deps.hqUrl ? { hqUrl: redact(deps.hqUrl) } : {}) };
    if (!bridge) return c.json({ ...base, enabled: false, replications: [], quarantine: [] }, 200);
    const [s, quarantine] = await Promise.all([bridge.status(), bridge.quarantined(100)]);
    return c.json({ ...base, ...s, quarantine }, 200);
  });

  const enabled = (): SyncBridge => {
    const bridge = deps.bridge();
    if (!bridge) throw new SyncBridgeError('SYNC_DISABLED', 'HQ sync is not running', { status: 409 });
    return bridge;
  };
  const list = createRoute({
    method: 'get',
    path: '/sync/quarantine',
    ...guarded,
    summary: 'Documents HQ refused, with the reason and any HQ release request',
    responses: ok(z.object({ quarantine: z.array(Quarantined) }), 'quarantine, newest first'),
  });
  app.openapi(list, async (c) => c.json({ quarantine: await enabled().quarantined(1_000) }, 200));

  const release = createRoute({
    method: 'post',
    path: '/sync/quarantine/{id}/release',
    ...guarded,
    summary: 'Offer a quarantined document to HQ again; closed when HQ now accepts it',
    request: { params: QuarantineId },
    responses: ok(
      z.object({
        quarantineId: z.string(),
        cls: z.string(),
        docId: z.string(),
        rev: z.string(),
        closed: z.number(),
      }),
      'released',
    ),
  });
  app.openapi(release, async (c) => {
    const out = await enabled().releaseQuarantined(c.req.valid('param').id, actorOf(c));
    return c.json(out, 200);
  });

  const discard = createRoute({
    method: 'post',
    path: '/sync/quarantine/{id}/discard',
    ...guarded,
    summary: 'Close a quarantine entry; the document stays at the branch only',
    request: { params: QuarantineId },
    responses: ok(z.object({ ok: z.boolean() }), 'discarded'),
  });
  app.openapi(discard, async (c) => {
    await enabled().discardQuarantined(c.req.valid('param').id, actorOf(c));
    return c.json({ ok: true }, 200);
  });
  return app;
}

function actorOf(c: Parameters<typeof principalOf>[0]): { actor: string; source: string } {
  return { actor: principalOf(c).userId, source: c.get('clientIp') };
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
