import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppEnv, createRouter, requirePermission } from '../../http/index.ts';
import { ctxOf } from '../route-context.ts';
import { body, IdParam, json } from '../schemas.ts';
import type { DirectoryService } from './service.ts';

const MappingOut = z
  .object({
    id: z.string(),
    groupDn: z.string(),
    role: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('DirectoryGroupMapping');

const MappingIn = z
  .object({ groupDn: z.string().min(3).max(1024), role: z.string().min(1).max(64) })
  .strict();

const StatusOut = z
  .object({
    configured: z.boolean(),
    url: z.string().optional(),
    reachable: z.boolean().nullable(),
    fault: z.string().optional(),
    lastSyncAt: z.string().optional(),
    syncSeconds: z.number().optional(),
    users: z.number(),
  })
  .openapi('DirectoryStatus');

/** `/api/directory/*`: the directory's state and the group → role mappings (audited). */
export function directoryRoutes(service: DirectoryService): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const read = [requirePermission('users.read')];
  const manage = [requirePermission('users.manage')];

  const status = createRoute({
    method: 'get',
    path: '/directory/status',
    summary: 'Directory sign-in: configured, reachable, last sync, accounts provisioned',
    middleware: read,
    responses: { 200: json(StatusOut, 'Status') },
  });
  app.openapi(status, async (c) => c.json(await service.status(), 200));

  const list = createRoute({
    method: 'get',
    path: '/directory/mappings',
    summary: 'Directory group → role mappings',
    middleware: read,
    responses: { 200: json(z.object({ mappings: z.array(MappingOut) }), 'Mappings') },
  });
  app.openapi(list, async (c) => c.json({ mappings: await service.listMappings() }, 200));

  const add = createRoute({
    method: 'post',
    path: '/directory/mappings',
    summary: 'Map a directory group (DN, nested members included) to a role; the role must exist',
    middleware: manage,
    request: body(MappingIn, 'Group DN and role'),
    responses: { 201: json(MappingOut, 'Mapped') },
  });
  app.openapi(add, async (c) => c.json(await service.addMapping(c.req.valid('json'), ctxOf(c)), 201));

  const remove = createRoute({
    method: 'delete',
    path: '/directory/mappings/{id}',
    summary: 'Remove a mapping; members left with no mapped group are frozen at the next sync',
    middleware: manage,
    request: { params: IdParam },
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such mapping' } },
  });
  app.openapi(remove, async (c) => {
    const ok = await service.removeMapping(c.req.valid('param').id, ctxOf(c));
    return ok ? c.body(null, 204) : c.body(null, 404);
  });
  return app;
}
