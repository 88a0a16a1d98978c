import { BUILTIN_ROLES, PERMISSIONS, type Permission } from '../../../appliance/src/contracts/index.ts';
import type { ApiClient } from './api.ts';

export { BUILTIN_ROLES, PERMISSIONS, type Permission };

/** A role as the appliance returns it (identity `RoleOut`); built-ins cannot be edited. */
export interface Role {
  id: string;
  description: string;
  permissions: Permission[];
  builtin: boolean;
}

export interface NewRole {
  id: string;
  description?: string;
  permissions: Permission[];
}

const rolePath = (id: string) => `/api/roles/${encodeURIComponent(id)}`;

export async function fetchRoles(api: ApiClient): Promise<Role[]> {
  return (await api.get<{ roles: Role[] }>('/api/roles')).roles;
}

export const createRole = (api: ApiClient, role: NewRole): Promise<Role> => api.post('/api/roles', role);

export const updateRole = (
  api: ApiClient,
  id: string,
  patch: { description?: string; permissions?: Permission[] },
): Promise<Role> => api.put(rolePath(id), patch);

export const deleteRole = (api: ApiClient, id: string): Promise<void> => api.delete(rolePath(id));

export const isBuiltinRole = (id: string): id is (typeof BUILTIN_ROLES)[number] =>
  (BUILTIN_ROLES as readonly string[]).includes(id);
