import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type AppEnv, createRouter, principalOf, requireAuth, SESSION_COOKIE } from '../http/index.ts';
import { ctxOf } from './route-context.ts';
import { adminRoutes } from './routes-admin.ts';
import {
  body,
  json,
  LoginIn,
  MeOut,
  MfaConfirmIn,
  MfaSetupOut,
  PasswordIn,
  SessionOut,
  SessionProbeOut,
} from './schemas.ts';
import type { IdentityService } from './service.ts';

// No Max-Age/Expires: a browser session cookie; the server-side idle timeout is what ends it.
const COOKIE_ATTRS = 'Path=/; Secure; HttpOnly; SameSite=Strict';

function authRoutes(app: OpenAPIHono<AppEnv>, service: IdentityService): void {
  const login = createRoute({
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in; sets the session cookie',
    request: body(LoginIn, 'Credentials, plus a TOTP code for MFA roles'),
    responses: { 200: json(SessionOut, 'Signed in') },
  });
  app.openapi(login, async (c) => {
    const r = await service.login(c.req.valid('json'), { ip: c.get('clientIp') });
    c.header('Set-Cookie', `${SESSION_COOKIE}=${r.token}; ${COOKIE_ATTRS}`);
    const { user, csrfToken, mustChangePassword, mfaSetupRequired } = r;
    return c.json({ user, csrfToken, mustChangePassword, mfaSetupRequired }, 200);
  });

  const logout = createRoute({
    method: 'post',
    path: '/auth/logout',
    summary: 'End the session server-side and clear the cookie',
    responses: { 204: { description: 'Signed out' } },
  });
  app.openapi(logout, async (c) => {
    const p = c.get('principal');
    if (p) await service.logout(p.sessionId, { actor: p.userId, ip: c.get('clientIp') });
    c.header('Set-Cookie', `${SESSION_COOKIE}=; ${COOKIE_ATTRS}; Max-Age=0`);
    return c.body(null, 204);
  });

  const me = createRoute({
    method: 'get',
    path: '/auth/me',
    summary: 'The signed-in user, CSRF token and permissions',
    middleware: [requireAuth()] as const,
    responses: { 200: json(MeOut, 'Current session') },
  });
  app.openapi(me, async (c) => {
    const p = principalOf(c);
    const user = await service.getUser(p.userId);
    const { csrfToken, mustChangePassword, mfaSetupRequired } = p;
    return c.json(
      { user, csrfToken, mustChangePassword, mfaSetupRequired, permissions: [...p.permissions] },
      200,
    );
  });

  // The console's boot probe: 200 either way, so a visit to the sign-in page logs no failed request.
  const session = createRoute({
    method: 'get',
    path: '/auth/session',
    summary: 'The current session like /auth/me with signedIn: true, or signedIn: false (never 401)',
    responses: { 200: json(SessionProbeOut, 'The session, or null') },
  });
  app.openapi(session, async (c) => {
    const p = c.get('principal');
    if (!p) return c.json({ signedIn: false as const }, 200);
    const user = await service.getUser(p.userId);
    const { csrfToken, mustChangePassword, mfaSetupRequired } = p;
    const permissions = [...p.permissions];
    return c.json(
      { signedIn: true as const, user, csrfToken, mustChangePassword, mfaSetupRequired, permissions },
      200,
    );
  });

  const password = createRoute({
    method: 'post',
    path: '/auth/password',
    summary: 'Change own password; other sessions end',
    middleware: [requireAuth()] as const,
    request: body(PasswordIn, 'Current and new password'),
    responses: { 204: { description: 'Changed' } },
  });
  app.openapi(password, async (c) => {
    const { currentPassword, newPassword } = c.req.valid('json');
    const p = principalOf(c);
    const change = { current: currentPassword, next: newPassword, keepSession: p.sessionId };
    await service.changePassword(p.userId, change, ctxOf(c));
    return c.body(null, 204);
  });

  const mfaSetup = createRoute({
    method: 'post',
    path: '/auth/mfa/setup',
    summary: 'Start TOTP enrolment: a new secret and otpauth URL',
    middleware: [requireAuth()] as const,
    responses: { 200: json(MfaSetupOut, 'Secret to enter in an authenticator app') },
  });
  app.openapi(mfaSetup, async (c) => c.json(await service.beginMfa(principalOf(c).userId), 200));

  const mfaConfirm = createRoute({
    method: 'post',
    path: '/auth/mfa/confirm',
    summary: 'Finish TOTP enrolment with a current code',
    middleware: [requireAuth()] as const,
    request: body(MfaConfirmIn, 'A code from the authenticator app'),
    responses: { 204: { description: 'Enrolled' } },
  });
  app.openapi(mfaConfirm, async (c) => {
    await service.confirmMfa(principalOf(c).userId, c.req.valid('json').code, ctxOf(c));
    return c.body(null, 204);
  });
}

/**
 * The identity API, mounted at `/api`: sign-in, session, password, MFA, and
 * user/role administration.
 */
export function identityRoutes(service: IdentityService): OpenAPIHono<AppEnv> {
  const app = createRouter();
  authRoutes(app, service);
  adminRoutes(app, service);
  return app;
}
