import type { Config, ImapConfig } from '../../config/index.ts';
import type { DocStore } from '../../storage/index.ts';
import { EmailError } from './errors.ts';
import type { RelayTarget } from './outbound.ts';

/** How the appliance talks to a mail server: implicit TLS, required STARTTLS, or plain (STARTTLS when offered). */
export type MailSecurity = 'tls' | 'starttls' | 'none';

export interface RelaySettings {
  host: string;
  port: number;
  security: MailSecurity;
  user?: string;
}

export interface ImapAccountSettings {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  mailbox: string;
}

/** The stored document (`settings`): passwords are sealed by the store wrapper, class 'secret'. */
export interface EmailSettingsDoc {
  relay?: RelaySettings;
  relayPassword?: string;
  mailFrom?: string;
  imap?: ImapAccountSettings;
  imapPassword?: string;
}

/** What an admin sends: a password left out keeps the stored one; a section set to null is removed. */
export interface EmailSettingsInput {
  relay?: (RelaySettings & { password?: string }) | null;
  mailFrom?: string;
  imap?: (ImapAccountSettings & { password?: string }) | null;
}

export type Source = 'environment' | 'stored' | 'none';

/** What the console sees: never a password, only whether one is set. */
export interface EmailSettingsView {
  receive: { host: string; port: number | undefined; domains: readonly string[] };
  relay: (RelaySettings & { passwordSet: boolean }) | undefined;
  relaySource: Source;
  mailFrom: string;
  mailFromSource: 'environment' | 'stored' | 'default';
  imap: (ImapAccountSettings & { passwordSet: boolean }) | undefined;
  imapSource: Source;
}

export const SETTINGS_ID = 'settings';
export const SECRET_FIELDS = ['relayPassword', 'imapPassword'];

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$/;
const EMAIL = /^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)*$/;

const invalid = (field: string, message: string) =>
  new EmailError('EMAIL_INVALID_SETTINGS', `Cannot save email settings: ${field} ${message}`, {
    status: 400,
    details: { field },
  });

function checkServer(prefix: string, s: { host: string; port: number; user?: string | undefined }) {
  if (!HOST.test(s.host)) throw invalid(`${prefix}.host`, 'is not a host name or address');
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
    throw invalid(`${prefix}.port`, 'must be 1-65535');
  if (s.user !== undefined && (s.user.length > 200 || /[\r\n]/.test(s.user)))
    throw invalid(`${prefix}.user`, 'is not a user name');
}

/** Validates an admin's input and merges it over the stored document (kept passwords stay). */
export function mergeSettings(doc: EmailSettingsDoc, input: EmailSettingsInput): EmailSettingsDoc {
  const next: EmailSettingsDoc = { ...doc };
  if (input.relay === null) {
    delete next.relay;
    delete next.relayPassword;
  } else if (input.relay) {
    const { password, ...relay } = input.relay;
    const user = relay.user?.trim();
    checkServer('relay', { ...relay, user });
    next.relay = { host: relay.host, port: relay.port, security: relay.security, ...(user ? { user } : {}) };
    if (password) next.relayPassword = password;
    if (!user) delete next.relayPassword;
  }
  if (input.mailFrom !== undefined) {
    const from = input.mailFrom.trim().toLowerCase();
    if (from === '') delete next.mailFrom;
    else if (!EMAIL.test(from)) throw invalid('mailFrom', 'is not an email address');
    else next.mailFrom = from;
  }
  if (input.imap === null) {
    delete next.imap;
    delete next.imapPassword;
  } else if (input.imap) {
    const { password, ...imap } = input.imap;
    checkServer('imap', imap);
    if (imap.user.trim() === '') throw invalid('imap.user', 'is required');
    const mailbox = imap.mailbox.trim() || 'INBOX';
    if (/[\r\n\0]/.test(mailbox)) throw invalid('imap.mailbox', 'is not a folder name');
    next.imap = { ...imap, user: imap.user.trim(), mailbox };
    if (password) next.imapPassword = password;
    if (!next.imapPassword) throw invalid('imap.password', 'is required');
  }
  return next;
}

/**
 * The settings in force: a value the environment sets wins (BRANCHLINE_SMTP_RELAY_URL,
 * BRANCHLINE_MAIL_FROM, BRANCHLINE_IMAP_URL), else the stored one.
 */
export function effective(config: Config, doc: EmailSettingsDoc) {
  const pinned = new Set(config.pinnedByEnvironment ?? []);
  const relayFromEnv = config.smtpRelayUrl !== undefined;
  let relay: RelayTarget | undefined = config.smtpRelayUrl;
  if (!relayFromEnv && doc.relay) relay = transportOptions(doc.relay, doc.relayPassword);
  const mailFrom =
    pinned.has('BRANCHLINE_MAIL_FROM') || !doc.mailFrom ? config.mailFrom : (doc.mailFrom as string);
  let imap: ImapConfig | undefined = config.imap;
  if (!imap && doc.imap && doc.imapPassword) {
    const built = { ...doc.imap, pollSeconds: 60, moveTo: undefined };
    Object.defineProperty(built, 'password', { value: doc.imapPassword, enumerable: false });
    imap = Object.freeze(built) as ImapConfig;
  }
  return { relay, mailFrom, imap };
}

/** nodemailer options for a stored relay; timeouts short enough for a console button to wait on. */
export function transportOptions(r: RelaySettings, password: string | undefined) {
  return {
    host: r.host,
    port: r.port,
    secure: r.security === 'tls',
    requireTLS: r.security === 'starttls',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    ...(r.user ? { auth: { user: r.user, pass: password ?? '' } } : {}),
  };
}

export function viewOf(
  config: Config,
  doc: EmailSettingsDoc,
  receivePort: number | undefined,
): EmailSettingsView {
  const pinned = new Set(config.pinnedByEnvironment ?? []);
  let relay: EmailSettingsView['relay'];
  let relaySource: Source = 'none';
  if (config.smtpRelayUrl) {
    const u = new URL(config.smtpRelayUrl);
    relay = {
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587),
      security: u.protocol === 'smtps:' ? 'tls' : 'none',
      ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
      passwordSet: u.password !== '',
    };
    relaySource = 'environment';
  } else if (doc.relay) {
    relay = { ...doc.relay, passwordSet: Boolean(doc.relayPassword) };
    relaySource = 'stored';
  }
  let imap: EmailSettingsView['imap'];
  let imapSource: Source = 'none';
  if (config.imap) {
    const { host, port, user, mailbox } = config.imap;
    const security = config.imap.security === 'tls' ? 'tls' : 'starttls';
    imap = { host, port, security, user, mailbox, passwordSet: true };
    imapSource = 'environment';
  } else if (doc.imap) {
    imap = { ...doc.imap, passwordSet: Boolean(doc.imapPassword) };
    imapSource = 'stored';
  }
  return {
    receive: { host: config.bind, port: receivePort, domains: config.mailDomains },
    relay,
    relaySource,
    mailFrom: effective(config, doc).mailFrom,
    mailFromSource: pinned.has('BRANCHLINE_MAIL_FROM') ? 'environment' : doc.mailFrom ? 'stored' : 'default',
    imap,
    imapSource,
  };
}

export async function readSettings(store: DocStore): Promise<{ doc: EmailSettingsDoc; rev?: string }> {
  const d = await store.get<EmailSettingsDoc>(SETTINGS_ID);
  if (!d) return { doc: {} };
  const { _id, _rev, ...doc } = d;
  return { doc, rev: _rev };
}

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    /** A test mail from the Channels page: whether the relay took it, else the refusal's code (no address: it is personal data). */
    'email.test_mail_sent': { ok: boolean; code?: string };
  }
}
