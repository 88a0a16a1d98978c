import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { HttpError } from './errors.ts';
import { type AppEnv, CSRF_HEADER, SESSION_COOKIE, type SessionResolver } from './types.ts';

/** CSP without inline scripts or styles; nothing may frame the console. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      mediaSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], geolocation: [], microphone: ['self'] },
  });
}

/** Sets `principal` from the session cookie; a dead session simply leaves it undefined. */
export function sessionAuth(resolve: SessionResolver): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const sid = getCookie(c, SESSION_COOKIE);
    c.set('principal', sid ? await resolve(sid) : undefined);
    await next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Platform webhooks (WeChat/WeCom callbacks) come from the platform's servers
 * with no session and an XML body; they authenticate by their own signature.
 * So does the OIDC back-channel logout (a form body with a JWT the IdP signed).
 */
const SIGNED_WEBHOOK =
  /^\/api\/channels\/[a-z]+\/callback$|^\/api\/crm\/webhooks\/[a-z0-9-]+$|^\/api\/auth\/oidc\/backchannel-logout$/;
/** The widget's browser call: public, embedded cross-origin, rate-limited by its route; never uses a session. */
const PUBLIC_CALL = /^\/api\/voice\/webrtc\/public\/calls(\/[A-Za-z0-9_-]+)?$/;

/**
 * CSRF for JSON APIs (hono's csrf() only covers forms):
 * 1. a cross-site Origin / Sec-Fetch-Site is refused;
 * 2. bodies must be application/json (a type no cross-site form can send
 *    without a CORS preflight, which this server never grants);
 * 3. a cookie-authenticated request must echo the session's CSRF token.
 */
export function csrfProtection(options: { bodyTypes?: RegExp } = {}): MiddlewareHandler<AppEnv> {
  const allowedTypes = options.bodyTypes ?? /^application\/json\b/i;
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method) || SIGNED_WEBHOOK.test(c.req.path) || PUBLIC_CALL.test(c.req.path))
      return next();
    const origin = c.req.header('origin');
    const self = new URL(c.req.url);
    const host = c.req.header('host') ?? self.host;
    if (origin !== undefined && origin !== 'null') {
      let ok = false;
      try {
        ok = new URL(origin).host === host;
      } catch {
        ok = false;
      }
      if (!ok) throw new HttpError('HTTP_CSRF', 'Cross-site request refused', { status: 403 });
    } else if (origin === 'null' || c.req.header('sec-fetch-site') === 'cross-site') {
      throw new HttpError('HTTP_CSRF', 'Cross-site request refused', { status: 403 });
    }
    const length = c.req.header('content-length');
    const hasBody =
      (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    const type = c.req.header('content-type') ?? '';
    if (hasBody && !allowedTypes.test(type)) {
      throw new HttpError('HTTP_UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json', {
        status: 415,
      });
    }
    const principal = c.get('principal');
    if (principal && c.req.header(CSRF_HEADER) !== principal.csrfToken) {
      throw new HttpError('HTTP_CSRF', 'Missing or wrong CSRF token', { status: 403 });
    }
    await next();
  };
}
