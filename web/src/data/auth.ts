import type { ApiClient } from './api.ts';

export type UserStatus = 'active' | 'frozen';

/** A user as the appliance returns it (identity `UserOut`). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  status: UserStatus;
  mustChangePassword: boolean;
  mfaEnrolled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
  mustChangePassword: boolean;
  mfaSetupRequired: boolean;
}

export interface Me extends SessionInfo {
  permissions: string[];
}

export interface Credentials {
  username: string;
  password: string;
  totp?: string;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
}

export const login = (api: ApiClient, credentials: Credentials): Promise<SessionInfo> =>
  api.post<SessionInfo>('/api/auth/login', credentials);

export const fetchMe = (api: ApiClient): Promise<Me> => api.get<Me>('/api/auth/me');

/** The session if there is one, else null; never a 401, so the sign-in page logs no failed request. */
export async function fetchSession(api: ApiClient): Promise<Me | null> {
  const probe = await api.get<({ signedIn: true } & Me) | { signedIn: false }>('/api/auth/session');
  if (!probe.signedIn) return null;
  const { signedIn: _, ...current } = probe;
  return current;
}

/** Whether single sign-on is configured (public; the sign-in page shows its button). */
export async function ssoEnabled(api: ApiClient): Promise<boolean> {
  try {
    return (await api.get<{ enabled: boolean }>('/api/auth/oidc/config')).enabled === true;
  } catch {
    return false;
  }
}

/** The TOTP step after a single sign-on the identity provider did not assert MFA for. */
export const ssoMfa = (api: ApiClient, code: string): Promise<SessionInfo> =>
  api.post<SessionInfo>('/api/auth/oidc/mfa', { code });

/**
 * Signs out. With SSO configured the appliance also answers the identity
 * provider's end-session URL for an SSO session, for the browser to visit.
 */
export async function logout(api: ApiClient): Promise<string | undefined> {
  try {
    if (await ssoEnabled(api)) {
      return (await api.post<{ endSessionUrl?: string }>('/api/auth/oidc/logout')).endSessionUrl;
    }
    await api.post<void>('/api/auth/logout');
    return undefined;
  } finally {
    api.clearCsrfToken();
  }
}

export const changePassword = (api: ApiClient, currentPassword: string, newPassword: string): Promise<void> =>
  api.post<void>('/api/auth/password', { currentPassword, newPassword });

export const beginMfa = (api: ApiClient): Promise<MfaSetup> => api.post<MfaSetup>('/api/auth/mfa/setup');

export const confirmMfa = (api: ApiClient, code: string): Promise<void> =>
  api.post<void>('/api/auth/mfa/confirm', { code });
