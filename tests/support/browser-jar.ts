// A cookie-keeping HTTP "browser" for redirect flows (OIDC): one jar per origin,
// redirects followed by hand so a test can stop at (or tamper with) any hop.
import { caFetch } from '../../appliance/src/identity/oidc/ca-fetch.ts';

export interface Hop {
  url: string;
  status: number;
  location: string | undefined;
  text: string;
}

export class CookieBrowser {
  #jars = new Map<string, Map<string, string>>();
  #https: ReturnType<typeof caFetch> | undefined;

  /** `ca`: PEM of the private CA https peers (the test IdP) are verified against. */
  constructor(options: { ca?: string } = {}) {
    this.#https = options.ca === undefined ? undefined : caFetch(options.ca);
  }

  cookie(origin: string, name: string): string | undefined {
    return this.#jars.get(origin)?.get(name);
  }

  async request(
    url: string,
    init: { method?: string; form?: URLSearchParams; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Hop> {
    const u = new URL(url);
    const jar = this.#jars.get(u.origin) ?? new Map<string, string>();
    this.#jars.set(u.origin, jar);
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0) headers['cookie'] = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = init.form.toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const send = u.protocol === 'https:' && this.#https ? this.#https : fetch;
    const res = await send(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    for (const c of res.headers.getSetCookie()) {
      const m = /^([^=;\s]+)=([^;]*)/.exec(c);
      if (!m?.[1]) continue;
      if (m[2] === '' || /;\s*max-age=0\b/i.test(c)) jar.delete(m[1]);
      else jar.set(m[1], m[2] ?? '');
    }
    const location = res.headers.get('location') ?? undefined;
    return {
      url,
      status: res.status,
      location: location === undefined ? undefined : new URL(location, url).href,
      text: await res.text(),
    };
  }

  /** Follows redirects from `url` until a non-redirect, or until `stop(location)` says so; returns the last hop. */
  async follow(
    url: string,
    stop: (location: string) => boolean = () => false,
    first?: Parameters<CookieBrowser['request']>[1],
  ): Promise<Hop> {
    let hop = await this.request(url, first);
    for (let i = 0; i < 20 && hop.location !== undefined && hop.status >= 300 && hop.status < 400; i++) {
      if (stop(hop.location)) return hop;
      hop = await this.request(hop.location);
    }
    return hop;
  }
}
