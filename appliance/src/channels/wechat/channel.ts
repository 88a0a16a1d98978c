import { BadInputError } from '../../contracts/index.ts';
import type { ChannelSender, Handle } from '../../conversations/index.ts';
import type { EventBus } from '../../events/index.ts';
import { type CryptoFacade, type DocStore, EncryptedDocStore } from '../../storage/index.ts';
import { WechatApiClient } from './api.ts';
import { aesKeyFrom } from './crypto.ts';
import { WechatError } from './errors.ts';
import { WechatInbox } from './inbox.ts';
import { KfPuller } from './kf.ts';
import { dedupeKey, toInbound } from './map.ts';
import { DEFAULT_MEDIA_POLICY, type MediaPolicy, withMedia } from './media.ts';
import type { Flavour, Ingest, WechatCredentials } from './types.ts';
import { type CallbackQuery, openCallback, verifyUrl } from './verify.ts';
import { parseWechatXml } from './xml.ts';

const CONFIG_ID = 'config';
const SECRET_FIELDS = ['secret', 'token', 'encodingAesKey'] as const;

export interface WechatChannelOptions {
  crypto: CryptoFacade;
  bus: EventBus;
  apiBaseUrl: string;
  fetch?: typeof fetch;
  now?: () => number;
  retryMs?: number;
  /** Media download limits and tries (defaults: the attachment limit, 15 s, 3 tries). */
  media?: Partial<MediaPolicy>;
}

/** What GET …/config shows: never a secret in clear. */
export interface MaskedCredentials {
  configured: boolean;
  receiverId?: string;
  agentId?: string;
  openKfId?: string;
  secret?: string;
  token?: string;
  encodingAesKey?: string;
}

/** Secrets are write-only: the console learns that one is set, never any of its characters. */
const mask = (_s: string) => '********';

/**
 * One WeChat-family channel (OA or WeCom): credentials (encrypted at rest as
 * class 'secret'), callback verification into the durable inbox, the worker
 * that ingests from it, and the outbound sender.
 */
export class WechatChannel {
  readonly flavour: Flavour;
  readonly inbox: WechatInbox;
  readonly api: WechatApiClient;
  readonly sender: ChannelSender;
  /** WeCom 微信客服 pull (sync_msg); present on the OA too but never rung there. */
  readonly kf: KfPuller;
  #store: DocStore;
  #media: MediaPolicy;
  #bus: EventBus;
  #now: () => number;
  #creds: WechatCredentials | undefined | null = null;

  constructor(flavour: Flavour, raw: DocStore, options: WechatChannelOptions) {
    this.flavour = flavour;
    this.#store = new EncryptedDocStore(raw, {
      crypto: options.crypto,
      fields: [...SECRET_FIELDS, 'xml'],
      keyIdFor: (doc) => (doc._id === CONFIG_ID ? 'secret' : 'pii'),
    });
    this.#bus = options.bus;
    this.#now = options.now ?? Date.now;
    this.inbox = new WechatInbox(this.#store, {
      bus: options.bus,
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
    });
    this.api = new WechatApiClient(flavour, {
      baseUrl: options.apiBaseUrl,
      credentials: () => this.credentials(),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now: this.#now,
    });
    this.#media = { ...DEFAULT_MEDIA_POLICY, ...options.media };
    this.kf = new KfPuller(this.#store, this.api, { media: this.#media });
    const kind: Handle['kind'] = flavour === 'wechat' ? 'wechat_openid' : 'wecom_external';
    this.sender = {
      channel: flavour,
      send: async ({ contact, message, to }) => {
        const handle = to.find((h) => h.kind === kind);
        if (!handle)
          throw new WechatError('WECHAT_API_FAILED', `No ${kind} handle to reply to`, { status: 409 });
        const kfId = contact.attributes?.['openKfId'];
        const openKfId = typeof kfId === 'string' ? kfId : undefined;
        const r = await this.api.sendText(handle.value, message.text, openKfId ? { openKfId } : {});
        return r.msgid ? { externalId: r.msgid } : {};
      },
    };
  }

  async credentials(): Promise<WechatCredentials | undefined> {
    if (this.#creds === null) {
      const doc = await this.#store.get<WechatCredentials>(CONFIG_ID);
      if (doc) {
        const { _id, _rev, ...rest } = doc;
        this.#creds = rest;
      } else this.#creds = undefined;
    }
    return this.#creds;
  }

  async masked(): Promise<MaskedCredentials> {
    const c = await this.credentials();
    if (!c) return { configured: false };
    return {
      configured: true,
      receiverId: c.receiverId,
      ...(c.agentId ? { agentId: c.agentId } : {}),
      ...(c.openKfId ? { openKfId: c.openKfId } : {}),
      secret: mask(c.secret),
      token: mask(c.token),
      encodingAesKey: mask(c.encodingAesKey),
    };
  }

  async configure(input: WechatCredentials, actor: { userId: string; source?: string }): Promise<void> {
    aesKeyFrom(input.encodingAesKey);
    if (!/^[A-Za-z0-9]{3,32}$/.test(input.token))
      throw new BadInputError('WECHAT_INVALID_CONFIG', 'token must be 3-32 characters of [A-Za-z0-9]');
    const existing = await this.#store.get(CONFIG_ID);
    await this.#store.put({ ...input, _id: CONFIG_ID, ...(existing ? { _rev: existing._rev } : {}) });
    this.#creds = { ...input };
    this.api.invalidate();
    await this.#bus.publish(
      'channel.configured',
      { channel: this.flavour, fields: Object.keys(input).sort() },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
  }

  async #keys(): Promise<WechatCredentials> {
    const c = await this.credentials();
    if (!c)
      throw new WechatError('WECHAT_NOT_CONFIGURED', `The ${this.flavour} channel is not configured`, {
        status: 503,
      });
    return c;
  }

  /** GET callback: the string to answer with when the platform verifies the URL. */
  async verify(q: CallbackQuery): Promise<string> {
    return verifyUrl(this.flavour, q, await this.#keys(), this.#now());
  }

  /** POST callback: verifies, decrypts, stores durably; the caller answers "success". */
  async receive(q: CallbackQuery, body: string): Promise<{ accepted: boolean }> {
    const keys = await this.#keys();
    const xml = openCallback(this.flavour, q, body, { keys, nowMs: this.#now() });
    const fields = parseWechatXml(xml);
    const accepted = await this.inbox.accept(
      this.flavour,
      dedupeKey(this.flavour, fields),
      xml,
      new Date(this.#now()),
    );
    return { accepted };
  }

  /** Starts the inbox worker: each callback becomes a message (with its media) or, for a kf doorbell, a pull. */
  start(ingest: Ingest): void {
    this.inbox.start(async (item) => {
      const fields = parseWechatXml(item.xml);
      const receivedAt = new Date(item.receivedAt);
      if (this.flavour === 'wecom' && fields['Event'] === 'kf_msg_or_event') {
        const openKfId = fields['OpenKfId'];
        if (!openKfId) throw new WechatError('WECHAT_BAD_XML', 'kf_msg_or_event without OpenKfId');
        await this.kf.pull(
          { openKfId, receivedAt, ...(fields['Token'] ? { token: fields['Token'] } : {}) },
          { ingest, attempt: item.attempts, now: this.#now() },
        );
        return;
      }
      const msg = toInbound(this.flavour, fields, receivedAt);
      await ingest(await withMedia(msg, this.api, { attempt: item.attempts, policy: this.#media }));
    });
  }

  close(): Promise<void> {
    return this.inbox.close();
  }
}
