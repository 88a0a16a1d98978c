import type { InboundMessage } from '../../conversations/index.ts';

/** The two platforms share one callback algorithm; they differ in ids and APIs. */
export type Flavour = 'wechat' | 'wecom';

/** Credentials of one channel; stored encrypted, never returned in clear. */
export interface WechatCredentials {
  /** OA appid or WeCom corpid: the receiver id inside every encrypted message. */
  receiverId: string;
  /** OA AppSecret or WeCom app/kf secret, for access tokens. */
  secret: string;
  token: string;
  encodingAesKey: string;
  /** WeCom only: the self-built app's AgentID. */
  agentId?: string;
  /** WeCom only: the 微信客服 account (open_kfid) replies are sent from. */
  openKfId?: string;
}

/** A verified, decrypted callback waiting in the durable inbox. */
export interface InboxItem {
  flavour: Flavour;
  /** Decrypted message XML (encrypted at rest). */
  xml: string;
  receivedAt: string;
  attempts: number;
  state: 'pending' | 'failed';
  lastError?: string;
}

export type Ingest = (msg: InboundMessage) => Promise<unknown>;

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    'channel.configured': { channel: Flavour | 'email'; fields: string[] };
  }
}
