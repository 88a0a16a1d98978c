import type { Context, MiddlewareHandler } from 'hono';
import type { Permission } from '../contracts/index.ts';
import { HttpError } from './errors.ts';
import type { AppEnv, Principal } from './types.ts';

/** Paths a session that must change its password or enrol MFA may still call. */
const SETUP_PATHS = ['/api/auth/me', '/api/auth/logout', '/api/auth/password', '/api/auth/mfa/'];

function assertUsable(c: Context<AppEnv>, p: Principal): void {
  if (SETUP_PATHS.some((s) => c.req.path.startsWith(s))) return;
  if (p.mustChangePassword) {
    throw new HttpError('HTTP_PASSWORD_CHANGE_REQUIRED', 'Password change required', { status: 403 });
  }
  if (p.mfaSetupRequired) {
    throw new HttpError('HTTP_MFA_SETUP_REQUIRED', 'MFA enrolment required', { status: 403 });
  }
}

/** The request's principal, or a 401. Use inside handlers behind `requireAuth()`. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get('principal');
  if (!p) throw new HttpError('HTTP_UNAUTHENTICATED', 'Authentication required', { status: 401 });
  return p;
}

/** 401 without a live session; 403 while a password change or MFA enrolment is pending. */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertUsable(c, principalOf(c));
    await next();
  };
}

/** 401 without a session, 403 without every listed permission. */
export function requirePermission(...perms: Permission[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = principalOf(c);
    assertUsable(c, p);
    const missing = perms.filter((x) => !p.permissions.has(x));
    if (missing.length > 0) {
      throw new HttpError('HTTP_FORBIDDEN', 'Permission denied', { status: 403, details: { missing } });
    }
    await next();
  };
}
