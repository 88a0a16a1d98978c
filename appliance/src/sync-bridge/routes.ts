import { createRoute, z } from '@hono/zod-openapi';
import { policyRows } from '../../../sync/src/index.ts';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { SyncBridge } from './bridge.ts';
import { SyncBridgeError } from './errors.ts';
import type { HqJoin } from './join-service.ts';
import type { ActiveLink } from './types.ts';

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

const Rule = z.enum(['plain', 'token', 'sealed', 'withheld']);
const FieldRow = z.object({ cls: z.string(), field: z.string(), rule: Rule });

const Link = z.object({
  source: z.enum(['env', 'joined']),
  branchId: z.string(),
  hqUrl: z.string(),
  joinedAt: z.string().optional(),
  joinedBy: z.string().optional(),
  caFingerprint: z.string().optional(),
});

const PolicyChange = z.object({
  from: z.number(),
  to: z.number(),
  at: z.string(),
  changes: z.array(z.object({ cls: z.string(), field: z.string(), before: Rule, after: Rule })),
});

const StatusOut = z.object({
  enabled: z.boolean(),
  branchId: z.string(),
  hqUrl: z.string().optional(),
  link: Link.optional(),
  /** What leaves the branch under the policy in force, per class and field. */
  fields: z.array(FieldRow).optional(),
  /** The last policy change HQ sent (verified before it applied), per class and field. */
  policyChange: PolicyChange.optional(),
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
export function syncRoutes(deps: {
  branchId: string;
  bridge: () => SyncBridge | undefined;
  link: () => ActiveLink | undefined;
  join: HqJoin;
}) {
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
    const link = deps.link();
    const base = {
      branchId: link?.branchId ?? deps.branchId,
      ...(link ? { hqUrl: redact(link.hqUrl), link: { ...link, hqUrl: redact(link.hqUrl) } } : {}),
    };
    if (!bridge) return c.json({ ...base, enabled: false, replications: [], quarantine: [] }, 200);
    const [s, quarantine, policyChange] = await Promise.all([
      bridge.status(),
      bridge.quarantined(100),
      bridge.lastPolicyChange(),
    ]);
    return c.json(
      {
        ...base,
        ...s,
        quarantine,
        fields: policyRows(bridge.policy),
        ...(policyChange ? { policyChange } : {}),
      },
      200,
    );
  });

  const JoinIn = z
    .object({
      bundle: z
        .string()
        .min(1)
        .max(64 * 1024),
    })
    .strict();
  const JoinOut = z.object({
    ok: z.boolean(),
    branch: z.string(),
    name: z.string(),
    hqUrl: z.string(),
    caFingerprint: z.string().optional(),
    policyVersion: z.number(),
    checks: z.array(
      z.object({
        check: z.enum(['reachable', 'tls', 'credentials', 'keys']),
        result: z.enum(['ok', 'failed', 'skipped']),
        detail: z.string(),
        info: z.string(),
      }),
    ),
    fields: z.array(FieldRow),
  });
  const body = { body: { content: { 'application/json': { schema: JoinIn } }, required: true } };
  const check = createRoute({
    method: 'post',
    path: '/sync/join/check',
    ...guarded,
    summary: 'Read an HQ join bundle, test the connection it describes and show what would leave the branch',
    request: body,
    responses: ok(
      JoinOut,
      'bundle details, connection test (a failed step is in the answer) and field table',
    ),
  });
  app.openapi(check, async (c) =>
    c.json(await deps.join.preview(c.req.valid('json').bundle, actorOf(c)), 200),
  );

  const confirm = createRoute({
    method: 'post',
    path: '/sync/join',
    ...guarded,
    summary:
      'Join HQ: test again, store the bundle (secret encrypted) and start replication without a restart',
    request: body,
    responses: ok(JoinOut, 'joined; replication is starting'),
  });
  app.openapi(confirm, async (c) =>
    c.json(await deps.join.confirm(c.req.valid('json').bundle, actorOf(c)), 200),
  );

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
