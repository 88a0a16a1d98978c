import type { Permission } from '../contracts/index.ts';
import { BUILTIN_ROLES } from '../contracts/index.ts';
import type { Core } from './core.ts';
import { IdentityError } from './errors.ts';
import { BUILTIN_PERMISSIONS, isBuiltinRole, isPermission } from './permissions.ts';
import { publishOpts } from './sessions.ts';
import type { ChangeContext, Role, RoleDoc, RoleInput } from './types.ts';

const ROLE_ID = /^[a-z][a-z0-9_-]{1,39}$/;

function invalid(message: string, details?: Record<string, unknown>): IdentityError {
  return new IdentityError(
    'IDENTITY_INVALID_ROLE',
    message,
    details ? { status: 400, details } : { status: 400 },
  );
}

/** Checks a custom role's permissions against PERMISSIONS; audit.settings only comes from auditor+admin. */
export function validatePermissions(perms: readonly string[]): Permission[] {
  if (perms.length === 0) throw invalid('A role needs at least one permission');
  const unknown = perms.filter((p) => !isPermission(p));
  if (unknown.length > 0) throw invalid(`Unknown permissions: ${unknown.join(', ')}`, { unknown });
  if (perms.includes('audit.settings')) {
    throw invalid('audit.settings cannot be granted by a role; it belongs to auditor-admins');
  }
  return [...new Set(perms)] as Permission[];
}

export async function listRoles(core: Core): Promise<Role[]> {
  const builtins = BUILTIN_ROLES.map((id) => ({
    id,
    description: `Built-in ${id} role`,
    permissions: [...BUILTIN_PERMISSIONS[id]],
    builtin: true,
  }));
  const custom = (await core.store.listRoles()).map((r) => ({
    id: r.id,
    description: r.description,
    permissions: r.permissions,
    builtin: false,
  }));
  return [...builtins, ...custom];
}

export async function createRole(core: Core, input: RoleInput, ctx: ChangeContext): Promise<Role> {
  if (!ROLE_ID.test(input.id)) throw invalid(`Invalid role id "${input.id}": use a-z, 0-9, _ and -`);
  if (isBuiltinRole(input.id) || (await core.store.getRole(input.id))) {
    throw new IdentityError('IDENTITY_ROLE_EXISTS', `Role already exists [roleId:${input.id}]`, {
      status: 409,
    });
  }
  const at = new Date(core.now()).toISOString();
  const doc: RoleDoc = {
    type: 'role',
    id: input.id,
    description: input.description ?? '',
    permissions: validatePermissions(input.permissions),
    createdAt: at,
    updatedAt: at,
  };
  await core.store.putRole(doc);
  core.invalidateRoles();
  await core.bus.publish('role.created', { roleId: doc.id, permissions: doc.permissions }, publishOpts(ctx));
  return { id: doc.id, description: doc.description, permissions: doc.permissions, builtin: false };
}

async function customRole(core: Core, id: string) {
  if (isBuiltinRole(id)) throw invalid(`Built-in roles cannot be changed [roleId:${id}]`);
  const cur = await core.store.getRole(id);
  if (!cur)
    throw new IdentityError('IDENTITY_ROLE_NOT_FOUND', `No such role [roleId:${id}]`, { status: 404 });
  return cur;
}

export async function updateRole(
  core: Core,
  id: string,
  patch: { description?: string; permissions?: string[] },
  ctx: ChangeContext,
): Promise<Role> {
  const { _id, _rev, ...cur } = await customRole(core, id);
  const next: RoleDoc = {
    ...cur,
    description: patch.description ?? cur.description,
    permissions: patch.permissions ? validatePermissions(patch.permissions) : cur.permissions,
    updatedAt: new Date(core.now()).toISOString(),
  };
  await core.store.putRole(next, _rev);
  core.invalidateRoles();
  await core.bus.publish('role.updated', { roleId: id, permissions: next.permissions }, publishOpts(ctx));
  return { id, description: next.description, permissions: next.permissions, builtin: false };
}

export async function deleteRole(core: Core, id: string, ctx: ChangeContext): Promise<void> {
  const cur = await customRole(core, id);
  const holders = (await core.store.listUsers()).filter((u) => u.roles.includes(id)).length;
  if (holders > 0) {
    throw new IdentityError('IDENTITY_ROLE_IN_USE', `Role is held by ${holders} user(s) [roleId:${id}]`, {
      status: 409,
      details: { holders },
    });
  }
  await core.store.removeRole(id, cur._rev);
  core.invalidateRoles();
  await core.bus.publish('role.deleted', { roleId: id }, publishOpts(ctx));
}
