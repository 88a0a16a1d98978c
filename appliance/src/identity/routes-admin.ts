import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppEnv, cursorAfter, NextCursor, PageQuery, pageOf, requirePermission } from '../http/index.ts';
import { ctxOf } from './route-context.ts';
import {
  body,
  FreezeIn,
  IdParam,
  json,
  NewRoleIn,
  NewUserIn,
  RoleOut,
  RolePatchIn,
  UserOut,
  UserPatchIn,
} from './schemas.ts';
import type { IdentityService } from './service.ts';

function userRoutes(app: OpenAPIHono<AppEnv>, service: IdentityService): void {
  const read = [requirePermission('users.read')];
  const manage = [requirePermission('users.manage')];
  const freezer = [requirePermission('users.freeze')];

  const list = createRoute({
    method: 'get',
    path: '/users',
    summary: 'Users in username order, a page at a time (limit ≤ 200; cursor from nextCursor)',
    middleware: read,
    request: { query: PageQuery },
    responses: {
      200: json(z.object({ users: z.array(UserOut), nextCursor: NextCursor }), 'A page of users'),
    },
  });
  app.openapi(list, async (c) => {
    const res = await service.pageUsers(pageOf(c.req.valid('query'), 'users'));
    const nextCursor = cursorAfter('users', res.last);
    return c.json({ users: res.users, ...(nextCursor ? { nextCursor } : {}) }, 200);
  });

  const get = createRoute({
    method: 'get',
    path: '/users/{id}',
    summary: 'One user',
    middleware: read,
    request: { params: IdParam },
    responses: { 200: json(UserOut, 'User') },
  });
  app.openapi(get, async (c) => c.json(await service.getUser(c.req.valid('param').id), 200));

  const create = createRoute({
    method: 'post',
    path: '/users',
    summary: 'Create a user with a one-time password (shown once)',
    middleware: manage,
    request: body(NewUserIn, 'New user'),
    responses: { 201: json(z.object({ user: UserOut, oneTimePassword: z.string() }), 'Created') },
  });
  app.openapi(create, async (c) => c.json(await service.createUser(c.req.valid('json'), ctxOf(c)), 201));

  const patch = createRoute({
    method: 'patch',
    path: '/users/{id}',
    summary: 'Change display name or roles',
    middleware: manage,
    request: { params: IdParam, ...body(UserPatchIn, 'Fields to change') },
    responses: { 200: json(UserOut, 'Updated') },
  });
  app.openapi(patch, async (c) => {
    const { displayName, roles } = c.req.valid('json');
    const p = {
      ...(displayName === undefined ? {} : { displayName }),
      ...(roles === undefined ? {} : { roles }),
    };
    return c.json(await service.updateUser(c.req.valid('param').id, p, ctxOf(c)), 200);
  });

  const freeze = createRoute({
    method: 'post',
    path: '/users/{id}/freeze',
    summary: 'Freeze: sign-in refused, every session and socket ends at once',
    middleware: freezer,
    request: { params: IdParam, body: { ...json(FreezeIn, 'Optional reason'), required: false } },
    responses: { 200: json(UserOut, 'Frozen') },
  });
  app.openapi(freeze, async (c) => {
    const { reason } = c.req.valid('json') ?? {};
    const ctx = { ...ctxOf(c), ...(reason === undefined ? {} : { reason }) };
    return c.json(await service.freeze(c.req.valid('param').id, ctx), 200);
  });

  const unfreeze = createRoute({
    method: 'post',
    path: '/users/{id}/unfreeze',
    summary: 'Unfreeze',
    middleware: freezer,
    request: { params: IdParam },
    responses: { 200: json(UserOut, 'Active again') },
  });
  app.openapi(unfreeze, async (c) => c.json(await service.unfreeze(c.req.valid('param').id, ctxOf(c)), 200));

  const reset = createRoute({
    method: 'post',
    path: '/users/{id}/reset-password',
    summary: 'Replace the password with a one-time one; sessions end',
    middleware: manage,
    request: { params: IdParam },
    responses: { 200: json(z.object({ oneTimePassword: z.string() }), 'New one-time password') },
  });
  app.openapi(reset, async (c) => {
    const oneTimePassword = await service.resetPassword(c.req.valid('param').id, ctxOf(c));
    return c.json({ oneTimePassword }, 200);
  });
}

function roleRoutes(app: OpenAPIHono<AppEnv>, service: IdentityService): void {
  const manage = [requirePermission('roles.manage')];
  const list = createRoute({
    method: 'get',
    path: '/roles',
    summary: 'Built-in and custom roles',
    middleware: [requirePermission('users.read')] as const,
    responses: { 200: json(z.object({ roles: z.array(RoleOut) }), 'Roles') },
  });
  app.openapi(list, async (c) => c.json({ roles: await service.listRoles() }, 200));

  const create = createRoute({
    method: 'post',
    path: '/roles',
    summary: 'Create a custom role from the permission list',
    middleware: manage,
    request: body(NewRoleIn, 'Role'),
    responses: { 201: json(RoleOut, 'Created') },
  });
  app.openapi(create, async (c) => {
    const { id, description, permissions } = c.req.valid('json');
    const input = { id, permissions, ...(description === undefined ? {} : { description }) };
    return c.json(await service.createRole(input, ctxOf(c)), 201);
  });

  const update = createRoute({
    method: 'put',
    path: '/roles/{id}',
    summary: 'Change a custom role',
    middleware: manage,
    request: { params: IdParam, ...body(RolePatchIn, 'New description and/or permissions') },
    responses: { 200: json(RoleOut, 'Updated') },
  });
  app.openapi(update, async (c) => {
    const { description, permissions } = c.req.valid('json');
    const patch = {
      ...(description === undefined ? {} : { description }),
      ...(permissions === undefined ? {} : { permissions }),
    };
    return c.json(await service.updateRole(c.req.valid('param').id, patch, ctxOf(c)), 200);
  });

  const remove = createRoute({
    method: 'delete',
    path: '/roles/{id}',
    summary: 'Delete a custom role no user holds',
    middleware: manage,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' } },
  });
  app.openapi(remove, async (c) => {
    await service.deleteRole(c.req.valid('param').id, ctxOf(c));
    return c.body(null, 204);
  });
}

export function adminRoutes(app: OpenAPIHono<AppEnv>, service: IdentityService): void {
  userRoutes(app, service);
  roleRoutes(app, service);
}
