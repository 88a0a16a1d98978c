import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import { FlowsError } from './errors.ts';
import type { FlowService } from './service.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The flow definition itself is checked by validateFlow (errors name the node); the envelope is strict. */
const FlowBody = z.object({ flow: z.record(z.string(), z.unknown()) }).strict();
const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const AnyJson = z.record(z.string(), z.unknown());

/** Flows admin: list, get (any version), validate, save a new version. system.manage. */
export function flowRoutes(flows: FlowService) {
  const app = createRouter();
  app.use('/flows', requirePermission('system.manage'));
  app.use('/flows/*', requirePermission('system.manage'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/flows',
      summary: 'Flows (latest versions)',
      responses: {
        200: json(
          z.object({
            flows: z.array(
              z.object({ id: z.string(), name: z.string(), version: z.number(), savedAt: z.string() }),
            ),
          }),
          'Flows',
        ),
      },
    }),
    async (c) => c.json({ flows: await flows.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/flows/{id}',
      summary: 'A flow (latest, or ?version=n)',
      request: { params: Id, query: z.object({ version: z.coerce.number().int().min(1).optional() }) },
      responses: { 200: json(z.object({ flow: AnyJson }), 'Flow') },
    }),
    async (c) => {
      const { version } = c.req.valid('query');
      const flow = await flows.get(c.req.valid('param').id, version);
      return c.json({ flow: flow as unknown as Record<string, unknown> }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/flows/validate',
      summary: 'Validate a flow without saving; the error names the node',
      request: { body: { content: { 'application/json': { schema: FlowBody } }, required: true } },
      responses: {
        200: json(
          z.object({
            valid: z.boolean(),
            error: z
              .object({
                code: z.string(),
                node: z.string(),
                reason: z.string(),
                field: z.string().optional(),
                message: z.string(),
              })
              .optional(),
          }),
          'Result',
        ),
      },
    }),
    (c) => {
      try {
        flows.validate(c.req.valid('json').flow);
        return c.json({ valid: true }, 200);
      } catch (e) {
        if (!(e instanceof FlowsError)) throw e;
        const d = e.details ?? {};
        return c.json(
          {
            valid: false,
            error: {
              code: e.code,
              node: String(d['node'] ?? ''),
              reason: String(d['reason'] ?? ''),
              ...(typeof d['field'] === 'string' ? { field: d['field'] } : {}),
              message: e.message,
            },
          },
          200,
        );
      }
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/flows/{id}',
      summary: 'Save a new version of a flow (audited by its flow.saved event)',
      request: {
        params: Id,
        body: { content: { 'application/json': { schema: FlowBody } }, required: true },
      },
      responses: { 200: json(z.object({ flow: AnyJson }), 'Saved') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { flow } = c.req.valid('json');
      if (flow['id'] !== id)
        throw new FlowsError('FLOWS_INVALID', 'node (flow): id must match the URL', {
          node: '(flow)',
          reason: 'id_must_match_the_url',
        });
      const saved = await flows.save(flow, { userId: principalOf(c).userId, source: c.get('clientIp') });
      return c.json({ flow: saved as unknown as Record<string, unknown> }, 200);
    },
  );
  return app;
}
