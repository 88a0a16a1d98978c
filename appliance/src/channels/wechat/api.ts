import { WechatError } from './errors.ts';
import type { Flavour, WechatCredentials } from './types.ts';

/** errcodes meaning "this access token is invalid/expired": refresh once and retry. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** Tokens are refreshed this long before the platform says they expire. */
const EARLY_REFRESH_MS = 5 * 60 * 1000;

export interface ApiClientOptions {
  /** https://api.weixin.qq.com (OA) or https://qyapi.weixin.qq.com (WeCom); a local fake in tests. */
  baseUrl: string;
  credentials: () => Promise<WechatCredentials | undefined>;
  fetch?: typeof fetch;
  now?: () => number;
}

interface ApiReply {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  msgid?: string;
}

/**
 * Customer-service message API of the OA (`message/custom/send`) or WeCom
 * 微信客服 (`kf/send_msg`), with the access token cached until shortly before
 * expiry and refreshed once when the platform reports it invalid.
 */
export class WechatApiClient {
  #flavour: Flavour;
  #options: ApiClientOptions;
  #token: { value: string; expiresAt: number } | undefined;
  #fetching: Promise<string> | undefined;

  constructor(flavour: Flavour, options: ApiClientOptions) {
    this.#flavour = flavour;
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  async #creds(): Promise<WechatCredentials> {
    const c = await this.#options.credentials();
    if (!c)
      throw new WechatError('WECHAT_NOT_CONFIGURED', `The ${this.#flavour} channel is not configured`, {
        status: 409,
      });
    return c;
  }

  async #call(url: string, init?: RequestInit): Promise<ApiReply> {
    const f = this.#options.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(url, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new WechatError('WECHAT_API_FAILED', `${this.#flavour} API unreachable`, {
        status: 502,
        cause: err,
      });
    }
    if (!res.ok)
      throw new WechatError('WECHAT_API_FAILED', `${this.#flavour} API answered HTTP ${res.status}`, {
        status: 502,
      });
    return (await res.json()) as ApiReply;
  }

  /** A valid access token, fetched once for concurrent callers. */
  async accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt - EARLY_REFRESH_MS > this.#now()) return this.#token.value;
    this.#fetching ??= this.#fetchToken().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetchToken(): Promise<string> {
    const c = await this.#creds();
    const base = this.#options.baseUrl;
    const url =
      this.#flavour === 'wechat'
        ? `${base}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(c.receiverId)}&secret=${encodeURIComponent(c.secret)}`
        : `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(c.receiverId)}&corpsecret=${encodeURIComponent(c.secret)}`;
    const r = await this.#call(url);
    if (!r.access_token || (r.errcode !== undefined && r.errcode !== 0)) {
      throw new WechatError('WECHAT_API_FAILED', `Access token refused [errcode:${r.errcode ?? '?'}]`, {
        status: 502,
        details: { errcode: r.errcode },
      });
    }
    this.#token = { value: r.access_token, expiresAt: this.#now() + (r.expires_in ?? 7200) * 1000 };
    return r.access_token;
  }

  /** Forgets the cached token (after the platform rejected it). */
  invalidate(): void {
    this.#token = undefined;
  }

  /**
   * POSTs JSON to a platform API with the cached token, refreshing it once when
   * the platform reports it expired; a non-zero errcode is WECHAT_API_FAILED
   * with `details.errcode`.
   */
  async postJson<T extends object>(path: string, body: unknown): Promise<T & ApiReply> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const r = await this.#call(
        `${this.#options.baseUrl}${path}?access_token=${encodeURIComponent(token)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
      );
      if (!r.errcode) return r as T & ApiReply;
      if (TOKEN_ERRORS.has(r.errcode) && attempt === 0) {
        this.invalidate();
        continue;
      }
      throw new WechatError('WECHAT_API_FAILED', `${path} refused [errcode:${r.errcode}]`, {
        status: 502,
        details: { errcode: r.errcode },
      });
    }
  }

  /**
   * Sends a text reply to an OA openid or a WeCom external_userid; returns the
   * platform msgid if any. WeCom replies go out from `openKfId` (the 微信客服
   * account the customer wrote to), else the configured one.
   */
  async sendText(
    to: string,
    content: string,
    options: { openKfId?: string } = {},
  ): Promise<{ msgid?: string }> {
    const c = await this.#creds();
    const body =
      this.#flavour === 'wechat'
        ? { touser: to, msgtype: 'text', text: { content } }
        : { touser: to, open_kfid: options.openKfId ?? c.openKfId ?? '', msgtype: 'text', text: { content } };
    const path = this.#flavour === 'wechat' ? '/cgi-bin/message/custom/send' : '/cgi-bin/kf/send_msg';
    const r = await this.postJson<{ msgid?: string }>(path, body);
    return r.msgid ? { msgid: r.msgid } : {};
  }

  /**
   * Downloads a temporary media file (`GET /cgi-bin/media/get`, same path on
   * both platforms): success is the raw file with its Content-Type, failure a
   * JSON `{errcode, errmsg}` (e.g. 40007 invalid media_id).
   */
  async getMedia(mediaId: string, options: MediaOptions): Promise<{ mime: string; data: Uint8Array }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const url = `${this.#options.baseUrl}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(mediaId)}`;
      const res = await this.#fetch(url, { timeoutMs: options.timeoutMs });
      const mime = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (mime === 'application/json' || mime === 'text/plain') {
        const r = (await res.json().catch(() => ({}))) as ApiReply;
        if (r.errcode && TOKEN_ERRORS.has(r.errcode) && attempt === 0) {
          this.invalidate();
          continue;
        }
        throw new WechatError('WECHAT_API_FAILED', `Media refused [errcode:${r.errcode ?? '?'}]`, {
          status: 502,
          details: { errcode: r.errcode },
        });
      }
      const data = await readCapped(res, options.maxBytes);
      return { mime, data };
    }
  }

  async #fetch(url: string, options: { timeoutMs: number }): Promise<Response> {
    const f = this.#options.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(url, { signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (err) {
      throw new WechatError('WECHAT_API_FAILED', `${this.#flavour} API unreachable`, {
        status: 502,
        cause: err,
      });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new WechatError('WECHAT_API_FAILED', `${this.#flavour} API answered HTTP ${res.status}`, {
        status: 502,
      });
    }
    return res;
  }
}

export interface MediaOptions {
  maxBytes: number;
  timeoutMs: number;
}

function tooLarge(limit: number): WechatError {
  return new WechatError('WECHAT_MEDIA_REFUSED', `Media exceeds ${limit} bytes`, {
    status: 413,
    details: { limit },
  });
}

/** Reads a body up to `limit` bytes; more is refused without buffering the rest. */
async function readCapped(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await res.body?.cancel();
    throw tooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof WechatError) throw err;
    throw new WechatError('WECHAT_API_FAILED', 'Media download interrupted', { status: 502, cause: err });
  }
  return Buffer.concat(chunks);
}
