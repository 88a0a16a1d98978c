/** A tiny cookie-keeping JSON client for the appliance API (what a console does). */
export class ApiClient {
  #cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.#cookie) h['cookie'] = this.#cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = /(__Host-bl_session)=([^;]*)/.exec(set);
      if (m) this.#cookie = m[2] ? `${m[1]}=${m[2]}` : '';
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: json as Record<string, any>, headers: res.headers };
  }

  async login(username: string, password: string, totp?: string) {
    const r = await this.request('POST', '/api/auth/login', {
      username,
      password,
      ...(totp ? { totp } : {}),
    });
    if (r.status === 200) this.csrf = r.json['csrfToken'];
    return r;
  }
  get cookie(): string {
    return this.#cookie;
  }
}
