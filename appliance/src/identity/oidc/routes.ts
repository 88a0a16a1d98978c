import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { type AppEnv, createRouter, SESSION_COOKIE } from '../../http/index.ts';
import { IdentityError } from '../errors.ts';
import { body, json, SessionOut } from '../schemas.ts';
import type { OidcSignIn } from './service.ts';

// Lax: the IdP's redirect back is a cross-site navigation, which a Strict cookie would miss.
const BINDING = '__Host-bl_oidc';
const BINDING_ATTRS = 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600';
const MFA = '__Host-bl_sso_mfa';
const MFA_ATTRS = 'Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=300';
const SESSION_ATTRS = 'Path=/; Secure; HttpOnly; SameSite=Strict';

const notConfigured = () =>
  new IdentityError('IDENTITY_SSO_NOT_CONFIGURED', 'Single sign-on is not configured', { status: 404 });
const originOf = (c: Context<AppEnv>) => new URL(c.req.url).origin;
const redirect = { 302: { description: 'Redirect (the browser follows it)' } };

/** A failed callback lands on the console's sign-in page with the code to translate. */
function toLogin(c: Context<AppEnv>, err: unknown) {
  if (!(err instanceof IdentityError)) throw err;
  c.header('Set-Cookie', `${BINDING}=; ${BINDING_ATTRS.replace('Max-Age=600', 'Max-Age=0')}`, {
    append: true,
  });
  return c.redirect(`/?sso_error=${err.code}`, 302);
}

function browserRoutes(app: OpenAPIHono<AppEnv>, sso: OidcSignIn | undefined): void {
  const start = createRoute({
    method: 'get',
    path: '/auth/oidc/start',
    summary: 'Start single sign-on: redirect to the identity provider (code flow, PKCE, state, nonce)',
    responses: redirect,
  });
  app.openapi(start, async (c) => {
    if (!sso) return toLogin(c, notConfigured());
    try {
      const { url, binding } = await sso.start(originOf(c));
      c.header('Set-Cookie', `${BINDING}=${binding}; ${BINDING_ATTRS}`);
      return c.redirect(url, 302);
    } catch (err) {
      return toLogin(c, err);
    }
  });

  const callback = createRoute({
    method: 'get',
    path: '/auth/oidc/callback',
    summary: "The identity provider's redirect back: signs in, or asks for the TOTP step",
    responses: redirect,
  });
  app.openapi(callback, async (c) => {
    if (!sso) return toLogin(c, notConfigured());
    try {
      const r = await sso.callback(new URL(c.req.url).search, getCookie(c, BINDING), c.get('clientIp'));
      c.header('Set-Cookie', `${BINDING}=; ${BINDING_ATTRS.replace('Max-Age=600', 'Max-Age=0')}`);
      if (r.kind === 'mfa') {
        c.header('Set-Cookie', `${MFA}=${r.ticket}; ${MFA_ATTRS}`, { append: true });
        return c.redirect('/?sso=mfa', 302);
      }
      c.header('Set-Cookie', `${SESSION_COOKIE}=${r.token}; ${SESSION_ATTRS}`, { append: true });
      return c.redirect('/', 302);
    } catch (err) {
      return toLogin(c, err);
    }
  });
}

function apiRoutes(app: OpenAPIHono<AppEnv>, sso: OidcSignIn | undefined): void {
  const config = createRoute({
    method: 'get',
    path: '/auth/oidc/config',
    summary: 'Whether single sign-on is configured (public: the sign-in page shows its button)',
    responses: { 200: json(z.object({ enabled: z.boolean() }), 'SSO availability') },
  });
  app.openapi(config, (c) => c.json({ enabled: sso !== undefined }, 200));

  const mfa = createRoute({
    method: 'post',
    path: '/auth/oidc/mfa',
    summary: 'The TOTP step after a single sign-on the IdP did not assert MFA for; sets the session cookie',
    request: body(z.object({ code: z.string().regex(/^\d{6}$/) }), 'A code from the authenticator app'),
    responses: { 200: json(SessionOut, 'Signed in') },
  });
  app.openapi(mfa, async (c) => {
    if (!sso) throw notConfigured();
    const r = await sso.completeMfa(getCookie(c, MFA), c.req.valid('json').code, c.get('clientIp'));
    c.header('Set-Cookie', `${MFA}=; ${MFA_ATTRS.replace('Max-Age=300', 'Max-Age=0')}`);
    c.header('Set-Cookie', `${SESSION_COOKIE}=${r.token}; ${SESSION_ATTRS}`, { append: true });
    const { user, csrfToken, mustChangePassword, mfaSetupRequired } = r;
    return c.json({ user, csrfToken, mustChangePassword, mfaSetupRequired }, 200);
  });

  const logout = createRoute({
    method: 'post',
    path: '/auth/oidc/logout',
    summary: "Sign out; for an SSO session also the IdP's end-session URL to send the browser to",
    responses: { 200: json(z.object({ endSessionUrl: z.string().optional() }), 'Signed out') },
  });
  app.openapi(logout, async (c) => {
    const p = c.get('principal');
    const ctx = p ? { actor: p.userId, ip: c.get('clientIp') } : {};
    const url = p && sso ? await sso.logout(p.sessionId, originOf(c), ctx) : undefined;
    c.header('Set-Cookie', `${SESSION_COOKIE}=; ${SESSION_ATTRS}; Max-Age=0`);
    return c.json(url === undefined ? {} : { endSessionUrl: url }, 200);
  });

  // Server to server from the IdP (no session, a form body): exempt from CSRF in http/security.ts.
  const backchannel = createRoute({
    method: 'post',
    path: '/auth/oidc/backchannel-logout',
    summary: 'OpenID Connect back-channel logout: a signed logout_token ends the matching sessions at once',
    responses: { 200: { description: 'Sessions ended' } },
  });
  app.openapi(backchannel, async (c) => {
    if (!sso) throw notConfigured();
    const form = await c.req.parseBody();
    const token = form['logout_token'];
    if (typeof token !== 'string' || token === '') {
      throw new IdentityError('IDENTITY_SSO_FAILED', 'logout_token is missing', { status: 400 });
    }
    await sso.backchannelLogout(token, c.get('clientIp'));
    c.header('Cache-Control', 'no-store');
    return c.body(null, 200);
  });
}

/** The `/api/auth/oidc/*` routes; `sso` undefined = not configured (config answers enabled: false). */
export function oidcRoutes(sso: OidcSignIn | undefined): OpenAPIHono<AppEnv> {
  const app = createRouter();
  browserRoutes(app, sso);
  apiRoutes(app, sso);
  return app;
}
