import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { ConsoleState } from './console-state.ts';
import { HqError } from './errors.ts';
import { onlyFields, readJson, sendError, sendJson, stringField } from './http-util.ts';
import { IpThrottle, type IpThrottleOptions } from './ip-throttle.ts';
import { OperatorLog } from './operator-log.ts';
import { OperatorAccounts } from './operators.ts';
import { OperatorHasher } from './password.ts';
import {
  clearedSessionCookie,
  cookieValue,
  HQ_CSRF_HEADER,
  HQ_SESSION_COOKIE,
  type OperatorSession,
  OperatorSessions,
  sessionCookie,
} from './sessions.ts';

export interface HqAuthOptions {
  /** Consecutive wrong passwords before an operator is locked out (default 5). */
  maxFailures?: number;
  /** Lockout length (default 15 min). */
  lockMs?: number;
  /** Idle timeout of a console session (default 15 min). */
  idleMs?: number;
  /** Absolute lifetime of a console session (default 12 h). */
  maxAgeMs?: number;
  /** Per-address limit on failed sign-ins (in memory). */
  ipThrottle?: IpThrottleOptions;
  /** How often expired sessions and stale failure counts are deleted (default 1 min). */
  sweepMs?: number;
  /** The clock for sessions and lockouts (tests). */
  now?: () => number;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reachable without a session: the sign-in page, its script, and the sign-in call itself. */
const PUBLIC = new Set(['GET /login', 'GET /hq-console.js', 'POST /api/session', 'GET /healthz']);
/** What an operator still on the first-run password may do. */
const FIRST_RUN = new Set(['GET /api/session', 'POST /api/password', 'DELETE /api/session', 'GET /login']);
/** What an operator without MFA may do: set it up, or leave. */
const ENROL = new Set(['GET /api/session', 'DELETE /api/session', 'GET /login', 'GET /mfa', 'POST /api/mfa']);

/**
 * Sign-in for the HQ console: operator accounts, cookie sessions with an idle
 * timeout, CSRF (same-origin + JSON bodies + a per-session token echoed in
 * `x-csrf-token`), lockout, a per-address throttle, and an operator audit
 * log. Sessions and lockouts live in `<dataDir>/console-state`, so they
 * outlive an HQ restart. The CouchDB endpoint branches replicate to is a
 * different server and is not affected.
 */
export class HqAuth {
  readonly accounts: OperatorAccounts;
  readonly sessions: OperatorSessions;
  /** HQ's own hash-chained operator log. */
  readonly log: OperatorLog;
  readonly #hasher = new OperatorHasher();
  readonly #state: ConsoleState;
  readonly #throttle: IpThrottle;
  readonly #sweeper: NodeJS.Timeout;
  #closing: Promise<void> | undefined;

  constructor(dataDir: string, options: HqAuthOptions = {}) {
    const now = options.now ? { now: options.now } : {};
    this.#state = new ConsoleState(dataDir);
    this.accounts = new OperatorAccounts(dataDir, {
      hasher: this.#hasher,
      state: this.#state,
      ...(options.maxFailures ? { maxFailures: options.maxFailures } : {}),
      ...(options.lockMs ? { lockMs: options.lockMs } : {}),
      ...now,
    });
    this.sessions = new OperatorSessions(this.#state, {
      ...(options.idleMs ? { idleMs: options.idleMs } : {}),
      ...(options.maxAgeMs ? { maxAgeMs: options.maxAgeMs } : {}),
      ...now,
    });
    this.#throttle = new IpThrottle({ ...now, ...options.ipThrottle });
    this.log = new OperatorLog(dataDir, now);
    this.#sweeper = setInterval(() => void this.sweep().catch(() => undefined), options.sweepMs ?? 60_000);
    this.#sweeper.unref();
  }

  /** Deletes expired sessions and stale failure counts. */
  async sweep(): Promise<{ sessions: number; failures: number }> {
    return { sessions: await this.sessions.sweep(), failures: await this.accounts.lockout.sweep() };
  }

  /** Disables an operator and ends all their sessions at once. */
  async disableOperator(username: string, by: string): Promise<number> {
    await this.accounts.disable(username, by);
    const ended = await this.sessions.destroyFor(username);
    await this.log.record('operator.disabled', by, { username, sessionsEnded: ended });
    return ended;
  }

  /** Lets a disabled operator sign in again. */
  async enableOperator(username: string, by: string): Promise<void> {
    await this.accounts.enable(username);
    await this.log.record('operator.enabled', by, { username });
  }

  /**
   * Recovery for an operator who lost their authenticator: removes their MFA
   * and ends their sessions; they set it up again at their next sign-in.
   */
  async resetOperatorMfa(username: string, by: string): Promise<number> {
    if (username === by)
      throw new HqError('HQ_BAD_REQUEST', 'Another operator must reset your MFA', { status: 400 });
    await this.accounts.resetMfa(username);
    const ended = await this.sessions.destroyFor(username);
    await this.log.record('operator.mfa_reset', by, { username, sessionsEnded: ended });
    return ended;
  }

  /**
   * Runs before every console route. Answers the sign-in routes itself and
   * refuses what is not allowed; returns the session when the route may run,
   * undefined when the response has been sent.
   */
  async gate(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathname: string,
  ): Promise<OperatorSession | 'public' | undefined> {
    const method = req.method ?? 'GET';
    const key = `${method} ${pathname}`;
    try {
      if (UNSAFE.has(method)) checkSameOrigin(req);
      if (key === 'POST /api/session') {
        await this.#login(req, res);
        return undefined;
      }
      if (PUBLIC.has(key)) return 'public';
      let session = await this.sessions.touch(cookieValue(req.headers.cookie, HQ_SESSION_COOKIE));
      // Disabling ends sessions; this also covers a sign-in that raced the disable.
      if (session && !(await this.accounts.isActive(session.username))) {
        await this.sessions.destroy(session.id);
        session = undefined;
      }
      if (!session) {
        if (method === 'GET' && !pathname.startsWith('/api/')) {
          res.writeHead(303, { location: '/login', 'cache-control': 'no-store' });
          res.end();
          return undefined;
        }
        throw new HqError('HQ_UNAUTHENTICATED', 'Sign in first', { status: 401 });
      }
      if (UNSAFE.has(method) && !sameToken(req.headers[HQ_CSRF_HEADER], session.csrfToken))
        throw new HqError('HQ_CSRF', 'Missing or wrong CSRF token', { status: 403 });
      if (session.mustChangePassword && !FIRST_RUN.has(key)) {
        if (method === 'GET' && !pathname.startsWith('/api/')) {
          res.writeHead(303, { location: '/login', 'cache-control': 'no-store' });
          res.end();
          return undefined;
        }
        throw new HqError('HQ_PASSWORD_CHANGE_REQUIRED', 'Change the one-time password first', {
          status: 403,
        });
      }
      if (
        !FIRST_RUN.has(key) &&
        !ENROL.has(key) &&
        (await this.accounts.mfaState(session.username)) !== 'enabled'
      ) {
        if (method === 'GET' && !pathname.startsWith('/api/')) {
          res.writeHead(303, { location: '/mfa', 'cache-control': 'no-store' });
          res.end();
          return undefined;
        }
        throw new HqError('HQ_MFA_ENROLMENT_REQUIRED', 'Set up MFA first', { status: 403 });
      }
      if (key === 'GET /api/session') {
        sendJson(res, 200, await this.#me(session));
        return undefined;
      }
      if (key === 'DELETE /api/session') {
        await this.sessions.destroy(session.id);
        await this.log.record('operator.signed_out', session.username);
        sendJson(res, 200, { ok: true }, { 'set-cookie': clearedSessionCookie() });
        return undefined;
      }
      if (key === 'POST /api/password') {
        const body = await readJson(req);
        onlyFields(body, ['current', 'next']);
        await this.accounts.changePassword(
          session.username,
          stringField(body, 'current', 256),
          stringField(body, 'next', 256),
        );
        await this.sessions.passwordChanged(session);
        await this.sessions.destroyFor(session.username, session.id);
        await this.log.record('operator.password_changed', session.username);
        sendJson(res, 200, await this.#me(session));
        return undefined;
      }
      return session;
    } catch (err) {
      if (!(err instanceof HqError)) throw err;
      sendError(res, err);
      return undefined;
    }
  }

  async #me(s: OperatorSession) {
    return {
      username: s.username,
      csrfToken: s.csrfToken,
      mustChangePassword: s.mustChangePassword,
      mfaEnrolmentRequired: (await this.accounts.mfaState(s.username)) !== 'enabled',
    };
  }

  async #login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJson(req);
    onlyFields(body, ['username', 'password', 'totp']);
    const username = stringField(body, 'username', 64);
    const password = stringField(body, 'password', 256);
    const totp = body['totp'] === undefined ? undefined : stringField(body, 'totp', 16).replace(/\s/g, '');
    const ip = req.socket.remoteAddress ?? 'unknown';
    const throttled = this.#throttle.retryAfterS(ip);
    if (throttled !== undefined) {
      await this.log.record('operator.sign_in_throttled', username, { ip });
      throw new HqError('HQ_THROTTLED', 'Too many failed sign-ins from this address; try again later', {
        status: 429,
        details: { retryAfterS: throttled },
      });
    }
    const result = await this.accounts.login(username, password, totp);
    if (!result.ok) {
      this.#throttle.fail(ip);
      const action = {
        locked: 'operator.locked_out',
        invalid: 'operator.sign_in_failed',
        mfa_required: 'operator.mfa_failed',
        mfa_invalid: 'operator.mfa_failed',
      }[result.reason];
      await this.log.record(action, username, {
        ip,
        ...(result.reason.startsWith('mfa') ? { reason: result.reason } : {}),
      });
      if (result.reason === 'mfa_required')
        throw new HqError('HQ_MFA_REQUIRED', 'Enter the code from your authenticator app', { status: 401 });
      if (result.reason === 'mfa_invalid')
        throw new HqError('HQ_MFA_INVALID', 'Wrong or already used authenticator code', { status: 401 });
      if (result.reason === 'locked')
        throw new HqError('HQ_LOCKED', 'Too many failed sign-ins; try again later', {
          status: 423,
          details: { retryAfterS: result.retryAfterS },
        });
      // Wrong password and unknown name get the same answer.
      throw new HqError('HQ_UNAUTHENTICATED', 'Wrong username or password', { status: 401 });
    }
    const s = await this.sessions.create(result.username, result.mustChangePassword);
    const mfa = (await this.accounts.mfaState(username)) === 'enabled';
    await this.log.record('operator.signed_in', username, { ip, mfa });
    sendJson(res, 200, await this.#me(s), { 'set-cookie': sessionCookie(s.id) });
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#sweeper);
      await this.#hasher.close();
      await this.#state.close();
    })();
    return this.#closing;
  }
}

/**
 * Refuses cross-site writes and bodies a cross-site form could send: an
 * Origin (when present) must name this host, and bodies must be JSON.
 */
function checkSameOrigin(req: http.IncomingMessage): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin !== undefined) {
    let same = false;
    try {
      same = origin !== 'null' && new URL(origin).host === host;
    } catch {
      same = false;
    }
    if (!same) throw new HqError('HQ_CSRF', 'Cross-site request refused', { status: 403 });
  } else if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new HqError('HQ_CSRF', 'Cross-site request refused', { status: 403 });
  }
  const hasBody =
    (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new HqError('HQ_UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json', { status: 415 });
}

/** Constant-time comparison of the echoed CSRF token with the session's. */
function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
