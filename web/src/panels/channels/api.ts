import type { ApiClient } from '../../data/api.ts';

export type MailSecurity = 'tls' | 'starttls' | 'none';
export type Source = 'environment' | 'stored' | 'none';

/** `GET /api/channels/email/settings`: the settings in force and where each comes from; passwords only as "set". */
export interface EmailSettingsView {
  receive: { host: string; port?: number; domains: string[] };
  relay?: { host: string; port: number; security: MailSecurity; user?: string; passwordSet: boolean };
  relaySource: Source;
  mailFrom: string;
  mailFromSource: 'environment' | 'stored' | 'default';
  imap?: {
    host: string;
    port: number;
    security: 'tls' | 'starttls';
    user: string;
    mailbox: string;
    passwordSet: boolean;
  };
  imapSource: Source;
}

export interface EmailSettingsInput {
  relay?: { host: string; port: number; security: MailSecurity; user?: string; password?: string } | null;
  mailFrom?: string;
  imap?: {
    host: string;
    port: number;
    security: 'tls' | 'starttls';
    user: string;
    mailbox: string;
    password?: string;
  } | null;
}

/** `GET /api/channels/{wechat,wecom}/config`: secrets appear only as "set". */
export interface WechatConfigView {
  configured: boolean;
  receiverId?: string;
  agentId?: string;
  openKfId?: string;
  secret?: string;
}

export interface WechatConfigInput {
  receiverId: string;
  secret?: string;
  token?: string;
  encodingAesKey?: string;
  agentId?: string;
  openKfId?: string;
}

export const fetchEmailSettings = (api: ApiClient) =>
  api.get<EmailSettingsView>('/api/channels/email/settings');
export const saveEmailSettings = (api: ApiClient, body: EmailSettingsInput) =>
  api.put<EmailSettingsView>('/api/channels/email/settings', body);
export const sendTestMail = (api: ApiClient, to: string) =>
  api.post<{ response: string; messageId: string }>('/api/channels/email/test-mail', { to });
export const fetchWechatConfig = (api: ApiClient, flavour: 'wechat' | 'wecom') =>
  api.get<WechatConfigView>(`/api/channels/${flavour}/config`);
export const saveWechatConfig = (api: ApiClient, flavour: 'wechat' | 'wecom', body: WechatConfigInput) =>
  api.put<WechatConfigView>(`/api/channels/${flavour}/config`, body);

/** The URL to paste at the WeChat / WeCom platform. */
export const callbackUrl = (origin: string, flavour: 'wechat' | 'wecom') =>
  `${origin}/api/channels/${flavour}/callback`;
