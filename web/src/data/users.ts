import type { ApiClient } from './api.ts';
import type { User } from './auth.ts';
import { allPages, type PageTail, pageQuery } from './paging.ts';

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

/** One page of users in username order; pass `nextCursor` back as `cursor` for the next. */
export const fetchUserPage = (api: ApiClient, cursor?: string, limit?: number) =>
  api.get<{ users: User[] } & PageTail>('/api/users', pageQuery(cursor, limit));

/** Every user (for pickers), page by page. */
export function fetchUsers(api: ApiClient): Promise<User[]> {
  return allPages(async (cursor) => {
    const page = await fetchUserPage(api, cursor, 200);
    return { items: page.users, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });
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
