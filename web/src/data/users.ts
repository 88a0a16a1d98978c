import type { ApiClient } from './api.ts';
import type { User } from './auth.ts';

export interface NewUser {
  username: string;
  displayName: string;
  roles: string[];
}

export interface UserPatch {
  displayName?: string;
  roles?: string[];
}

const userPath = (id: string) => `/api/users/${encodeURIComponent(id)}`;

export async function fetchUsers(api: ApiClient): Promise<User[]> {
  return (await api.get<{ users: User[] }>('/api/users')).users;
}

/** The one-time password is shown once by the caller and never stored. */
export const createUser = (api: ApiClient, user: NewUser): Promise<{ user: User; oneTimePassword: string }> =>
  api.post('/api/users', user);

export const updateUser = (api: ApiClient, id: string, patch: UserPatch): Promise<User> =>
  api.patch(userPath(id), patch);

export const freezeUser = (api: ApiClient, id: string, reason?: string): Promise<User> =>
  api.post(`${userPath(id)}/freeze`, reason ? { reason } : {});

export const unfreezeUser = (api: ApiClient, id: string): Promise<User> =>
  api.post(`${userPath(id)}/unfreeze`);

export async function resetPassword(api: ApiClient, id: string): Promise<string> {
  return (await api.post<{ oneTimePassword: string }>(`${userPath(id)}/reset-password`)).oneTimePassword;
}
