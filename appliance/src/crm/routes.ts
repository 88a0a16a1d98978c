import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../customers/index.ts';
import { type AppEnv, createRouter, principalOf, requirePermission } from '../http/index.ts';
import { ConnectorConfigSchema } from './connector.ts';
import { CrmError } from './errors.ts';
import type { CrmService } from './service.ts';
import type { FieldDef } from './types.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const Any = z.record(z.string(), z.unknown());

const FieldDefIn = z
  .object({
    label: z.string().max(100).optional(),
    type: z.enum(['string', 'number', 'date', 'enum', 'bool']),
    required: z.boolean().default(false),
    pii: z.boolean().default(false),
    values: z.array(z.string().max(100)).max(100).optional(),
  })
  .strict();

const ImportIn = z
  .object({
    kind: z.enum(['customers', 'orders', 'warranties', 'products']),
    format: z.enum(['csv', 'xlsx']),
    /** The file, base64: JSON bodies are what the CSRF guard admits, and the body limit caps the size. */
    data: z.base64(),
    partial: z.boolean().optional(),
  })
  .strict();

const actorOf = (c: Context<AppEnv>): Actor => ({ userId: principalOf(c).userId, source: c.get('clientIp') });

/** Session routes under /api/crm (the webhook route is separate: it is called by the external CRM, not a user). */
export function crmRoutes(crm: CrmService) {
  const app = createRouter();
  app.use('/crm/customers/*', requirePermission('customers.read'));
  app.use('/crm/fields', requirePermission('customers.read'));
  app.use('/crm/fields/*', requirePermission('customers.write'));
  app.use('/crm/import', requirePermission('customers.write'));
  app.use('/crm/connectors', requirePermission('customers.read'));
  app.use('/crm/connectors/*', requirePermission('system.manage'));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/crm/customers/{id}/screenpop',
      summary: 'Screen pop / customer 360: profile, orders, warranty, history (masked by role; audited)',
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 200: json(Any, 'Screen pop') },
    }),
    async (c) => {
      const p = principalOf(c);
      const pop = await crm.screenPop(c.req.valid('param').id, {
        userId: p.userId,
        permissions: p.permissions,
        source: c.get('clientIp'),
      });
      return c.json(pop as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/crm/fields',
      summary: 'Custom profile field definitions',
      responses: { 200: json(z.object({ fields: z.array(Any) }), 'Definitions') },
    }),
    async (c) => c.json({ fields: (await crm.fieldDefs()) as unknown as Record<string, unknown>[] }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/crm/fields/{name}',
      summary: 'Define or change a custom profile field',
      request: {
        params: z.object({ name: z.string().min(1).max(40) }),
        body: { ...json(FieldDefIn, 'Definition'), required: true },
      },
      responses: { 200: json(Any, 'Saved') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const def = { name: c.req.valid('param').name, ...body } as FieldDef;
      return c.json((await crm.defineField(def, actorOf(c))) as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/crm/import',
      summary: 'Import CSV/XLSX: validated, all-or-nothing unless partial; 422 with the report on bad rows',
      request: { body: { ...json(ImportIn, 'File'), required: true } },
      responses: { 200: json(Any, 'Report') },
    }),
    async (c) => {
      const { data, ...opts } = c.req.valid('json');
      const report = await crm.import(Buffer.from(data, 'base64'), {
        kind: opts.kind,
        format: opts.format,
        ...(opts.partial === undefined ? {} : { partial: opts.partial }),
        actor: actorOf(c),
      });
      if (!report.committed) {
        throw new CrmError('CRM_IMPORT_INVALID', `Import rejected: ${report.errors.length} bad field(s)`, {
          status: 422,
          details: report as unknown as Record<string, unknown>,
        });
      }
      return c.json(report as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/crm/connectors',
      summary: 'External CRM connectors with circuit-breaker state',
      responses: { 200: json(z.object({ connectors: z.array(Any) }), 'Health') },
    }),
    (c) => c.json({ connectors: crm.health() as unknown as Record<string, unknown>[] }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/crm/connectors/{id}',
      summary: 'Configure an external CRM connector (REST, field mapping, cache, timeout, breaker)',
      request: {
        params: z.object({ id: z.string().min(1).max(40) }),
        body: { ...json(ConnectorConfigSchema.omit({ id: true }), 'Config'), required: true },
      },
      responses: { 200: json(Any, 'Health') },
    }),
    async (c) => {
      const cfg = { ...c.req.valid('json'), id: c.req.valid('param').id };
      return c.json(
        (await crm.configureConnector(cfg, actorOf(c))) as unknown as Record<string, unknown>,
        200,
      );
    },
  );
  return app;
}

/** Public: authenticated by HMAC signature, not by session. */
export function crmWebhookRoutes(crm: CrmService) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/crm/webhooks/{connectorId}',
      summary: 'Inbound change notification from an external CRM (HMAC-SHA256 signed, replay-protected)',
      request: { params: z.object({ connectorId: z.string().min(1).max(40) }) },
      responses: { 200: json(Any, 'Applied') },
    }),
    async (c) => {
      const out = await crm.webhook(c.req.valid('param').connectorId, await c.req.text(), (h) =>
        c.req.header(h),
      );
      return c.json(out as unknown as Record<string, unknown>, 200);
    },
  );
  return app;
}
