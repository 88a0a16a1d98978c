/**
 * The one way the console talks to the appliance: same-origin JSON with the
 * session cookie, and the session's CSRF token echoed on unsafe methods.
 * Failures become `ApiError` carrying the server's error `code` so panels can
 * translate it; the server's message is kept for logs only, never shown.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | undefined>;

/** Header the appliance checks against the session's token (see appliance/src/http/types.ts). */
export const CSRF_HEADER = 'x-csrf-token';
/** Code used when the request never got an answer (offline, DNS, TLS, aborted). */
export const NETWORK_ERROR = 'NETWORK_ERROR';
/** Code used when the server answered with an error but no `{error:{code}}` body. */
export const UNKNOWN_ERROR = 'HTTP_UNKNOWN';

const UNSAFE: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    status: number,
    options: { message?: string; details?: unknown; cause?: unknown } = {},
  ) {
    super(options.message ?? code, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.details = isRecord(options.details) ? options.details : undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds an ApiError from a failed response body: `{error:{code,message,details?}}`
 * when present, otherwise a status-derived code.
 * @example
 * errorFromBody({ error: { code: 'IDENTITY_THROTTLED', message: '…' } }, 429).code; // 'IDENTITY_THROTTLED'
 */
export function errorFromBody(body: unknown, status: number): ApiError {
  const err = isRecord(body) ? body['error'] : undefined;
  if (isRecord(err) && typeof err['code'] === 'string' && err['code'] !== '') {
    const message = typeof err['message'] === 'string' ? err['message'] : undefined;
    return new ApiError(err['code'], status, { ...(message ? { message } : {}), details: err['details'] });
  }
  if (status === 401) return new ApiError('HTTP_UNAUTHENTICATED', status);
  if (status === 403) return new ApiError('HTTP_FORBIDDEN', status);
  if (status === 404) return new ApiError('HTTP_NOT_FOUND', status);
  return new ApiError(UNKNOWN_ERROR, status);
}

export interface ApiClientOptions {
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Origin prefix; '' (same origin) in the browser. */
  base?: string;
  /** Called for every 401 so the shell can return to the login screen. */
  onUnauthenticated?: (error: ApiError) => void;
}

export class ApiClient {
  #fetch: typeof fetch;
  #base: string;
  #csrf: string | undefined;
  #onUnauthenticated: ((error: ApiError) => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#base = options.base ?? '';
    this.#onUnauthenticated = options.onUnauthenticated;
  }

  /** The CSRF token from the last login or /me answer, if any. */
  get csrfToken(): string | undefined {
    return this.#csrf;
  }

  /** Forgets the CSRF token (after logout or a dead session). */
  clearCsrfToken(): void {
    this.#csrf = undefined;
  }

  /** Absolute-path URL with the query's defined, non-empty values. */
  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    return `${this.#base}${path}${qs ? `?${qs}` : ''}`;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', this.url(path, query));
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', this.url(path), body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', this.url(path), body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', this.url(path), body);
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', this.url(path));
  }

  /** Sends one request; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
  async request<T>(method: HttpMethod, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (UNSAFE.has(method)) {
      // Always a JSON body on unsafe methods: routes with optional bodies accept {}, and the
      // CSRF guard only ever sees application/json from us.
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body ?? {});
      if (this.#csrf !== undefined) headers[CSRF_HEADER] = this.#csrf;
    }
    let res: Response;
    try {
      res = await this.#fetch(url, init);
    } catch (cause) {
      throw new ApiError(NETWORK_ERROR, 0, { cause });
    }
    const parsed = await readJson(res);
    if (!res.ok) {
      const error = errorFromBody(parsed, res.status);
      if (res.status === 401) {
        this.#csrf = undefined;
        this.#onUnauthenticated?.(error);
      }
      throw error;
    }
    if (isRecord(parsed) && typeof parsed['csrfToken'] === 'string') this.#csrf = parsed['csrfToken'];
    return parsed as T;
  }
}

async function readJson(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
