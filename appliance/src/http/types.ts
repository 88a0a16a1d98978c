import type { Permission } from '../contracts/index.ts';

/** The authenticated caller of a request, set by the auth middleware. */
export interface Principal {
  userId: string;
  username: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  sessionId: string;
  /** Per-session CSRF token; unsafe requests must echo it in `x-csrf-token`. */
  csrfToken: string;
  /** True until the one-time password has been replaced; only password change is allowed. */
  mustChangePassword: boolean;
  /** True when the role requires MFA and none is enrolled yet; only MFA enrolment is allowed. */
  mfaSetupRequired: boolean;
}

/** Resolves a session cookie value to a principal, refreshing its idle timer; undefined when dead. */
export type SessionResolver = (sessionId: string) => Promise<Principal | undefined>;

/** Hono environment shared by every sub-app. */
export interface AppEnv {
  Variables: {
    principal: Principal | undefined;
    /** Client address: the socket peer (no proxy headers trusted by default). */
    clientIp: string;
    requestId: string;
  };
}

export const SESSION_COOKIE = '__Host-bl_session';
export const CSRF_HEADER = 'x-csrf-token';
