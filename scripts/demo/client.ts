// A cookie-keeping JSON client for the public API: what a console does, nothing more.

export interface Reply {
  status: number;
  json: Record<string, unknown>;
}

export class DemoClient {
  #cookie = '';
  #csrf = '';
  constructor(readonly base: string) {}

  get cookie(): string {
    return this.#cookie;
  }

  async request(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.#cookie) headers['cookie'] = this.#cookie;
    if (this.#csrf && method !== 'GET') headers['x-csrf-token'] = this.#csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      signal: AbortSignal.timeout(15_000),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = res.headers.get('set-cookie');
    const m = set ? /(__Host-bl_session|bl_session)=([^;]*)/.exec(set) : null;
    if (m) this.#cookie = m[2] ? `${m[1]}=${m[2]}` : '';
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { text };
    }
    return { status: res.status, json: (json ?? {}) as Record<string, unknown> };
  }

  async login(username: string, password: string): Promise<Reply> {
    const r = await this.request('POST', '/api/auth/login', { username, password });
    if (r.status === 200) this.#csrf = String(r.json['csrfToken'] ?? '');
    return r;
  }
}

/** `what: 409 CODE message` for progress lines. */
export function describe(r: Reply): string {
  const e = r.json['error'] as { code?: string; message?: string } | undefined;
  return `${r.status}${e?.code ? ` ${e.code}` : ''}${e?.message ? ` ${e.message}` : ''}`;
}
