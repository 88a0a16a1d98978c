import { createHash } from 'node:crypto';
import type { InboundMessage } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { DocStore } from '../../storage/index.ts';
import type { WechatApiClient } from './api.ts';
import { type MediaPolicy, withMedia } from './media.ts';
import type { Ingest } from './types.ts';

/*
 * WeCom 微信客服 (kf) message pull. What this relies on, from the platform's
 * "读取消息" page (developer.work.weixin.qq.com/document/path/94670) as mirrored
 * by silenceper/wechat `work/kf/syncmsg.go` and the SKIT.FlurlHttpClient.Wechat
 * sample `CgibinKfSyncMessageResponse.json`:
 * - the callback is only a doorbell: `<Event>kf_msg_or_event</Event>` with a
 *   `<Token>` (valid 10 minutes; without it the API is strictly rate-limited)
 *   and `<OpenKfId>`;
 * - `POST /cgi-bin/kf/sync_msg` {cursor (≤64 bytes, empty the first time),
 *   token, limit (≤1000), open_kfid} → {errcode, next_cursor, has_more: 0|1,
 *   msg_list: [{msgid, open_kfid, external_userid, send_time, origin,
 *   msgtype, text: {content}, image: {media_id}, voice: {media_id}, …}]};
 * - origin 3 = sent by the customer, 4 = system event, 5 = by a servicer;
 * - "store next_cursor durably and send it each time"; has_more can be 1 with
 *   an empty msg_list, so paging stops on has_more, not on an empty page.
 */

const log = createLogger('channels.wecom');

/** The callback token is valid 10 minutes; past 9 we pull without it rather than be refused. */
const TOKEN_TTL_MS = 9 * 60 * 1000;
/** Pages per doorbell: a backlog beyond this waits for the next event (never a tight loop). */
const MAX_PAGES = 50;
const ORIGIN_CUSTOMER = 3;

export interface KfMessage {
  msgid?: string;
  open_kfid?: string;
  external_userid?: string;
  send_time?: number;
  origin?: number;
  msgtype?: string;
  text?: { content?: string };
  image?: { media_id?: string };
  voice?: { media_id?: string };
  location?: { name?: string; address?: string; latitude?: number; longitude?: number };
}

interface SyncReply {
  next_cursor?: string;
  has_more?: number;
  msg_list?: KfMessage[];
}

export interface KfEvent {
  openKfId: string;
  token?: string;
  /** When the doorbell rang (the token's age is counted from here). */
  receivedAt: Date;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** A customer's kf message as an inbound message; system events and servicer echoes are not. */
export function kfToInbound(m: KfMessage, receivedAt: Date): InboundMessage | undefined {
  if (m.origin !== ORIGIN_CUSTOMER || !m.msgid || !m.external_userid) return undefined;
  const type = m.msgtype ?? 'unknown';
  const meta: Record<string, string> = { msgType: type, source: 'kf' };
  if (m.open_kfid) meta['openKfId'] = m.open_kfid;
  let text: string;
  if (type === 'text') text = m.text?.content ?? '';
  else if (type === 'image' || type === 'voice') {
    const mediaId = m[type]?.media_id;
    if (mediaId) meta['mediaId'] = mediaId;
    text = `[${type}]`;
  } else if (type === 'location')
    text = `[location] ${m.location?.name ?? ''} ${m.location?.address ?? ''}`.trim();
  else text = `[${type}]`;
  const sent = Number(m.send_time);
  return {
    channel: 'wecom',
    handles: [{ kind: 'wecom_external', value: m.external_userid }],
    externalId: `wecom:kf:${m.msgid}`,
    threadKey: `wecom:${m.external_userid}`,
    text,
    receivedAt: Number.isFinite(sent) && sent > 0 ? new Date(sent * 1000) : receivedAt,
    meta,
    // Replies go out from the kf account the customer wrote to.
    ...(m.open_kfid ? { attributes: { openKfId: m.open_kfid } } : {}),
  };
}

/**
 * Pulls 微信客服 messages for one doorbell: pages from the stored cursor while
 * has_more, ingests each customer message once (a durable marker per msgid,
 * written right after ingest), and stores next_cursor after each page — so a
 * restart resumes where it stopped and a re-read page adds nothing.
 */
export class KfPuller {
  #store: DocStore;
  #api: WechatApiClient;
  #media: MediaPolicy;
  #limit: number;

  constructor(store: DocStore, api: WechatApiClient, options: { media: MediaPolicy; limit?: number }) {
    this.#store = store;
    this.#api = api;
    this.#media = options.media;
    this.#limit = options.limit ?? 1000;
  }

  /** The stored cursor of a kf account ('' before the first pull). */
  async cursor(openKfId: string): Promise<string> {
    return (await this.#store.get<{ cursor: string }>(`kf:cursor:${hash(openKfId)}`))?.cursor ?? '';
  }

  async pull(
    event: KfEvent,
    options: { ingest: Ingest; attempt: number; now: number },
  ): Promise<{ ingested: number }> {
    const cursorId = `kf:cursor:${hash(event.openKfId)}`;
    const stored = await this.#store.get<{ cursor: string }>(cursorId);
    let cursor = stored?.cursor ?? '';
    let rev = stored?._rev;
    const useToken = event.token && options.now - event.receivedAt.getTime() < TOKEN_TTL_MS;
    let ingested = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await this.#api.postJson<SyncReply>('/cgi-bin/kf/sync_msg', {
        cursor,
        ...(useToken ? { token: event.token } : {}),
        limit: this.#limit,
        open_kfid: event.openKfId,
      });
      for (const m of r.msg_list ?? []) {
        if (await this.#one(m, event.receivedAt, options)) ingested++;
      }
      if (r.next_cursor && r.next_cursor !== cursor) {
        cursor = r.next_cursor;
        rev = (await this.#store.put({ _id: cursorId, cursor, ...(rev ? { _rev: rev } : {}) })).rev;
      }
      if (r.has_more !== 1) return { ingested };
    }
    log.warn(`kf backlog exceeds ${MAX_PAGES} pages; the rest waits for the next event`);
    return { ingested };
  }

  async #one(m: KfMessage, receivedAt: Date, options: { ingest: Ingest; attempt: number }): Promise<boolean> {
    if (!m.msgid) return false;
    const seenId = `kf:seen:${hash(m.msgid)}`;
    if (await this.#store.get(seenId)) return false;
    const msg = kfToInbound(m, receivedAt);
    if (msg)
      await options.ingest(
        await withMedia(msg, this.#api, { attempt: options.attempt, policy: this.#media }),
      );
    await this.#store.create({ _id: seenId, at: new Date().toISOString() });
    return msg !== undefined;
  }
}
