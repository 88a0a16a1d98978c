import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { LogLevel } from '../logging/index.ts';
import { type EffectiveSetting, effectiveSettings } from './effective.ts';
import { rawSetting, setting } from './settings.ts';
import type { Config, DirectoryConfig, ImapConfig, OidcConfig, SiemConfig } from './types.ts';

/** A bad environment value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** A declared setting's value or default as text ('' when it has neither). */
function text(env: Env, name: string): string {
  return rawSetting(env, name) ?? '';
}

/** A port number; the default comes from the setting's declaration unless given. */
function port(env: Env, name: string, fallback = Number(setting(name).default)): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    throw new ConfigError(`Cannot parse ${name}: "${raw}" is not a port number (0-65535)`);
  }
  return n;
}

/** An integer in the declared min..max; default and bounds come from the declaration unless given. */
function int(
  env: Env,
  name: string,
  fallback = Number(setting(name).default),
  min = setting(name).min ?? 0,
  max = setting(name).max ?? Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new ConfigError(`Cannot parse ${name}: "${raw}" is not an integer in ${min}..${max}`);
  }
  return n;
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`Cannot parse ${name}: "${raw}" is not an http(s) URL`);
  }
}

/**
 * What inbound mail may carry as attachments by default: a bank branch's
 * customers send office documents, photos (iPhone HEIC too), PDFs, text in any
 * charset, calendar invites and forwarded mail. Anything else is kept
 * quarantined for an admin, never refused.
 */
const DEFAULT_MAIL_ATTACHMENT_TYPES: readonly string[] = Object.freeze([
  'application/pdf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/ofd',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/bmp',
  'image/tiff',
  'text/plain',
  'text/csv',
  'text/calendar',
  'message/rfc822',
]);

function mailAttachmentSettings(env: Env) {
  const raw = env['BRANCHLINE_MAIL_ATTACHMENT_TYPES'];
  const types =
    raw === undefined || raw === ''
      ? DEFAULT_MAIL_ATTACHMENT_TYPES
      : raw
          .split(',')
          .map((t) => t.trim().toLowerCase())
          .filter((t) => t !== '');
  for (const t of types) {
    if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t)) {
      throw new ConfigError(`Cannot parse BRANCHLINE_MAIL_ATTACHMENT_TYPES: "${t}" is not a MIME type`);
    }
  }
  return {
    mailAttachmentTypes: Object.freeze([...types]),
    mailAttachmentMaxBytes: int(env, 'BRANCHLINE_MAIL_ATTACHMENT_MAX_BYTES'),
    mailAttachmentMaxCount: int(env, 'BRANCHLINE_MAIL_ATTACHMENT_MAX_COUNT'),
    mailBodyMaxChars: int(env, 'BRANCHLINE_MAIL_BODY_MAX_CHARS'),
  };
}

function mailSettings(env: Env) {
  const domains = (env['BRANCHLINE_MAIL_DOMAINS'] ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  for (const d of domains) {
    if (!/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(d)) {
      throw new ConfigError(`Cannot parse BRANCHLINE_MAIL_DOMAINS: "${d}" is not a domain or address`);
    }
  }
  const firstDomain = domains[0]?.split('@').pop() ?? 'localhost';
  const mailFrom = (env['BRANCHLINE_MAIL_FROM'] || `branch@${firstDomain}`).toLowerCase();
  if (!/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(mailFrom)) {
    throw new ConfigError(`Cannot parse BRANCHLINE_MAIL_FROM: "${mailFrom}" is not an email address`);
  }
  const relay = env['BRANCHLINE_SMTP_RELAY_URL'] || undefined;
  if (relay !== undefined) {
    let ok = false;
    try {
      const u = new URL(relay);
      ok = (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError('Cannot parse BRANCHLINE_SMTP_RELAY_URL: not an smtp:// or smtps:// URL');
  }
  const tls = text(env, 'BRANCHLINE_SMTP_STARTTLS');
  if (tls !== 'on' && tls !== 'off') {
    throw new ConfigError(`Cannot parse BRANCHLINE_SMTP_STARTTLS: "${tls}" is not on or off`);
  }
  return {
    mailDomains: domains,
    mailFrom,
    smtpRelayUrl: relay,
    smtpMaxBytes: int(env, 'BRANCHLINE_SMTP_MAX_BYTES'),
    smtpStartTls: tls === 'on',
    ...mailAttachmentSettings(env),
  };
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

function imapPassword(env: Env): string {
  const direct = env['BRANCHLINE_IMAP_PASSWORD'];
  const file = env['BRANCHLINE_IMAP_PASSWORD_FILE'];
  if (direct && file) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_IMAP_PASSWORD: set it or BRANCHLINE_IMAP_PASSWORD_FILE, not both',
    );
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(
        `Cannot read BRANCHLINE_IMAP_PASSWORD_FILE: "${file}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (!direct) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_IMAP_URL: a password is required (BRANCHLINE_IMAP_PASSWORD or _FILE)',
    );
  }
  return direct;
}

/** IMAP polling: off unless BRANCHLINE_IMAP_URL is set; TLS unless plain is allowed for a loopback server. */
function imapSettings(env: Env): ImapConfig | undefined {
  const raw = env['BRANCHLINE_IMAP_URL'];
  if (raw === undefined || raw === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('Cannot parse BRANCHLINE_IMAP_URL: not an imap:// or imaps:// URL');
  }
  if ((u.protocol !== 'imap:' && u.protocol !== 'imaps:') || u.hostname === '' || u.username === '') {
    throw new ConfigError('Cannot parse BRANCHLINE_IMAP_URL: expected imaps://user@host[:port][/mailbox]');
  }
  // A password in the URL would end up in process listings and logs of the URL.
  if (u.password !== '') {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_IMAP_URL: put the password in BRANCHLINE_IMAP_PASSWORD, not the URL',
    );
  }
  const allowPlain = text(env, 'BRANCHLINE_IMAP_ALLOW_PLAIN');
  if (allowPlain !== 'on' && allowPlain !== 'off') {
    throw new ConfigError(`Cannot parse BRANCHLINE_IMAP_ALLOW_PLAIN: "${allowPlain}" is not on or off`);
  }
  const tls = u.protocol === 'imaps:';
  if (allowPlain === 'on' && (tls || !LOOPBACK_HOST.test(u.hostname))) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_IMAP_ALLOW_PLAIN: plain IMAP is only allowed for imap:// on a loopback host',
    );
  }
  const mailbox = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX';
  const moveTo = env['BRANCHLINE_IMAP_MOVE_TO'] || undefined;
  if (moveTo !== undefined && (moveTo === mailbox || /[\r\n\0]/.test(moveTo))) {
    throw new ConfigError(`Cannot parse BRANCHLINE_IMAP_MOVE_TO: "${moveTo}" is not another folder`);
  }
  const imap = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? (tls ? 993 : 143) : Number(u.port),
    security: tls ? 'tls' : allowPlain === 'on' ? 'plain' : 'starttls',
    user: decodeURIComponent(u.username),
    mailbox,
    pollSeconds: int(env, 'BRANCHLINE_IMAP_POLL_SECONDS'),
    moveTo,
  } as const;
  Object.defineProperty(imap, 'password', { value: imapPassword(env), enumerable: false });
  return Object.freeze(imap) as ImapConfig;
}

/** Voice trunks and dial-out prefixes; empty means no trusted trunk and no dial-out. */
function voiceSettings(env: Env) {
  const sipTrunks: Array<{ name: string; addresses: string[] }> = [];
  for (const part of (env['BRANCHLINE_SIP_TRUNKS'] ?? '').split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^([A-Za-z0-9_-]{1,32})=(.+)$/.exec(part);
    const addresses = (m?.[2] ?? '').split(',').map((a) => a.trim());
    if (!m?.[1] || addresses.some((a) => !/^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/.test(a))) {
      throw new ConfigError(`Cannot parse BRANCHLINE_SIP_TRUNKS: "${part}" is not name=ip[,ip]`);
    }
    sipTrunks.push({ name: m[1], addresses });
  }
  const dialoutPrefixes = (env['BRANCHLINE_DIALOUT_PREFIXES'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of dialoutPrefixes) {
    if (!/^\+?\d{1,15}$/.test(p)) {
      throw new ConfigError(`Cannot parse BRANCHLINE_DIALOUT_PREFIXES: "${p}" is not a number prefix`);
    }
  }
  const ns = text(env, 'BRANCHLINE_NOISE_SUPPRESSION');
  if (ns !== 'on' && ns !== 'off') {
    throw new ConfigError(`Cannot parse BRANCHLINE_NOISE_SUPPRESSION: "${ns}" is not on or off`);
  }
  const sdes = text(env, 'BRANCHLINE_SIP_SDES_OVER_PLAIN');
  if (sdes !== 'on' && sdes !== 'off') {
    throw new ConfigError(`Cannot parse BRANCHLINE_SIP_SDES_OVER_PLAIN: "${sdes}" is not on or off`);
  }
  return {
    sipTrunks,
    dialoutPrefixes,
    noiseSuppression: ns === 'on',
    sdesOverPlain: sdes === 'on',
    srtpAlarmThreshold: int(env, 'BRANCHLINE_SRTP_ALARM_THRESHOLD'),
  };
}

/** An IANA zone name Intl knows (BRANCHLINE_TIMEZONE); default the server's own zone. */
function timeZone(env: Env): string {
  const raw = env['BRANCHLINE_TIMEZONE'];
  if (raw === undefined || raw === '') return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_TIMEZONE: "${raw}" is not an IANA time zone (e.g. Asia/Shanghai)`,
    );
  }
}

/**
 * Zones that name one phone region; a branch elsewhere sets BRANCHLINE_PHONE_REGION.
 * Anything else (UTC on a fresh box included) reads numbers as Chinese, the product's home market.
 */
const ZONE_REGIONS: Readonly<Record<string, string>> = {
  'Asia/Shanghai': 'CN',
  'Asia/Chongqing': 'CN',
  'Asia/Chungking': 'CN',
  'Asia/Harbin': 'CN',
  'Asia/Urumqi': 'CN',
  'Asia/Kashgar': 'CN',
  PRC: 'CN',
  'Asia/Hong_Kong': 'HK',
  'Asia/Macau': 'MO',
  'Asia/Taipei': 'TW',
  'Asia/Singapore': 'SG',
  'Asia/Kuala_Lumpur': 'MY',
  'Asia/Tokyo': 'JP',
  'Asia/Seoul': 'KR',
  'Europe/London': 'GB',
  'Europe/Berlin': 'DE',
  'Europe/Paris': 'FR',
  'America/New_York': 'US',
  'America/Chicago': 'US',
  'America/Denver': 'US',
  'America/Los_Angeles': 'US',
};

/** An ISO 3166 alpha-2 region the phone metadata knows (BRANCHLINE_PHONE_REGION); default from the zone. */
function phoneRegion(env: Env, zone: string): string {
  const raw = env['BRANCHLINE_PHONE_REGION'];
  if (raw === undefined || raw === '') return ZONE_REGIONS[zone] ?? 'CN';
  const region = raw.trim().toUpperCase();
  if (!isSupportedCountry(region)) {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_PHONE_REGION: "${raw}" is not an ISO 3166 region code (e.g. CN)`,
    );
  }
  return region;
}

/** The crypto suite asked for; the key ring refuses one other than it was set up with. */
function cryptoSuite(env: Env): { cryptoSuite?: 'classic' | 'gm' } {
  const suite = text(env, 'BRANCHLINE_CRYPTO_SUITE');
  if (suite === '') return {};
  if (suite !== 'classic' && suite !== 'gm') {
    throw new ConfigError(`Cannot parse BRANCHLINE_CRYPTO_SUITE: "${suite}" is not classic or gm`);
  }
  return { cryptoSuite: suite };
}

/** Which engine carries media and where the mediasoup worker binary is. */
function mediaSettings(env: Env) {
  const engine = text(env, 'BRANCHLINE_MEDIA_ENGINE');
  if (engine !== 'werift' && engine !== 'mediasoup') {
    throw new ConfigError(`Cannot parse BRANCHLINE_MEDIA_ENGINE: "${engine}" is not werift or mediasoup`);
  }
  const bin = env['MEDIASOUP_WORKER_BIN'] || undefined;
  if (bin !== undefined && !path.isAbsolute(bin)) {
    throw new ConfigError(`Cannot parse MEDIASOUP_WORKER_BIN: "${bin}" is not an absolute path`);
  }
  return {
    mediaEngine: engine,
    mediasoupWorkerBin: bin,
    cacheDir: path.resolve(text(env, 'BRANCHLINE_CACHE_DIR')),
  } as const;
}

/** Audit → syslog collector: off unless BRANCHLINE_SIEM_URL is set; the numbers are checked either way. */
function siemSettings(env: Env): SiemConfig | undefined {
  const numbers = {
    backlogAlarm: int(env, 'BRANCHLINE_SIEM_BACKLOG_ALARM'),
    alarmAfterSeconds: int(env, 'BRANCHLINE_SIEM_ALARM_AFTER_SECONDS'),
    maxRate: int(env, 'BRANCHLINE_SIEM_MAX_RATE'),
  };
  const raw = env['BRANCHLINE_SIEM_URL'];
  const ca = env['BRANCHLINE_SIEM_CA'] || undefined;
  if (raw === undefined || raw === '') return undefined;
  const bad = () =>
    new ConfigError(`Cannot parse BRANCHLINE_SIEM_URL: "${raw}" is not tls://host:port or tcp://host:port`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad();
  }
  if ((u.protocol !== 'tls:' && u.protocol !== 'tcp:') || u.hostname === '' || u.port === '') throw bad();
  if (u.username !== '' || u.password !== '' || (u.pathname !== '' && u.pathname !== '/')) throw bad();
  if (ca !== undefined && u.protocol === 'tcp:') {
    throw new ConfigError('Cannot parse BRANCHLINE_SIEM_CA: it needs a tls:// BRANCHLINE_SIEM_URL');
  }
  return Object.freeze({
    transport: u.protocol === 'tls:' ? 'tls' : 'tcp',
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port),
    caFile: ca === undefined ? undefined : path.resolve(ca),
    ...numbers,
  });
}

function directoryPassword(env: Env): string {
  const direct = env['BRANCHLINE_DIRECTORY_BIND_PASSWORD'];
  const file = env['BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE'];
  if (direct && file) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_DIRECTORY_BIND_PASSWORD: set it or BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE, not both',
    );
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(
        `Cannot read BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE: "${file}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (!direct) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_DIRECTORY_URL: a service account password is required (BRANCHLINE_DIRECTORY_BIND_PASSWORD or _FILE)',
    );
  }
  return direct;
}

/** Directory sign-in: off unless BRANCHLINE_DIRECTORY_URL is set; always TLS (ldaps:// or StartTLS). */
function directorySettings(env: Env): DirectoryConfig | undefined {
  const syncSeconds = int(env, 'BRANCHLINE_DIRECTORY_SYNC_SECONDS');
  const raw = env['BRANCHLINE_DIRECTORY_URL'];
  if (raw === undefined || raw === '') return undefined;
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'ldaps:' && u.protocol !== 'ldap:') || u.hostname === '') {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_DIRECTORY_URL: "${raw}" is not ldaps://host[:port] or ldap://host[:port]`,
    );
  }
  if (u.username !== '' || u.password !== '' || (u.pathname !== '' && u.pathname !== '/')) {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_DIRECTORY_URL: only scheme, host and port (the account goes in BRANCHLINE_DIRECTORY_BIND_DN)',
    );
  }
  const bindDn = env['BRANCHLINE_DIRECTORY_BIND_DN'] ?? '';
  const baseDn = env['BRANCHLINE_DIRECTORY_BASE_DN'] ?? '';
  if (bindDn.trim() === '')
    throw new ConfigError(
      'Cannot parse BRANCHLINE_DIRECTORY_BIND_DN: it is required with BRANCHLINE_DIRECTORY_URL',
    );
  if (baseDn.trim() === '')
    throw new ConfigError(
      'Cannot parse BRANCHLINE_DIRECTORY_BASE_DN: it is required with BRANCHLINE_DIRECTORY_URL',
    );
  const attrs = text(env, 'BRANCHLINE_DIRECTORY_USER_ATTRIBUTES')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const a of attrs) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(a)) {
      throw new ConfigError(
        `Cannot parse BRANCHLINE_DIRECTORY_USER_ATTRIBUTES: "${a}" is not an attribute name`,
      );
    }
  }
  if (attrs.length === 0)
    throw new ConfigError('Cannot parse BRANCHLINE_DIRECTORY_USER_ATTRIBUTES: name at least one attribute');
  const ca = env['BRANCHLINE_DIRECTORY_CA'] || undefined;
  const config = {
    url: `${u.protocol}//${u.host}`,
    startTls: u.protocol === 'ldap:',
    bindDn: bindDn.trim(),
    baseDn: baseDn.trim(),
    userAttributes: Object.freeze(attrs),
    caFile: ca === undefined ? undefined : path.resolve(ca),
    syncSeconds,
  };
  Object.defineProperty(config, 'bindPassword', { value: directoryPassword(env), enumerable: false });
  return Object.freeze(config as DirectoryConfig);
}

/** OpenID Connect sign-in: off unless BRANCHLINE_OIDC_ISSUER is set; then client id and secret are required. */
function oidcSettings(env: Env): OidcConfig | undefined {
  const issuer = url(env, 'BRANCHLINE_OIDC_ISSUER');
  const redirectUri = url(env, 'BRANCHLINE_OIDC_REDIRECT_URI');
  if (issuer === undefined) return undefined;
  const host = new URL(issuer).hostname;
  if (issuer.startsWith('http:') && !LOOPBACK_HOST.test(host)) {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_OIDC_ISSUER: "${issuer}" must be https (http only on loopback)`,
    );
  }
  const clientId = env['BRANCHLINE_OIDC_CLIENT_ID'] ?? '';
  const clientSecret = env['BRANCHLINE_OIDC_CLIENT_SECRET'] ?? '';
  if (clientId === '' || clientSecret === '') {
    throw new ConfigError(
      'Cannot parse BRANCHLINE_OIDC_ISSUER: BRANCHLINE_OIDC_CLIENT_ID and BRANCHLINE_OIDC_CLIENT_SECRET are required with it',
    );
  }
  const raw = text(env, 'BRANCHLINE_OIDC_ROLE_MAP');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('Cannot parse BRANCHLINE_OIDC_ROLE_MAP: not a JSON object of group → role(s)');
  }
  const roleMap: Record<string, readonly string[]> = {};
  for (const [group, roles] of Object.entries(parsed)) {
    const list = typeof roles === 'string' ? [roles] : roles;
    if (!Array.isArray(list) || list.length === 0 || !list.every((r) => typeof r === 'string' && r !== '')) {
      throw new ConfigError(
        `Cannot parse BRANCHLINE_OIDC_ROLE_MAP: "${group}" must map to a role or a list of roles`,
      );
    }
    roleMap[group] = Object.freeze([...list]);
  }
  const words = (name: string) =>
    text(env, name)
      .split(/[\s,]+/)
      .filter((w) => w !== '');
  const scopes = words('BRANCHLINE_OIDC_SCOPES');
  const groupsClaim = text(env, 'BRANCHLINE_OIDC_GROUPS_CLAIM');
  if (!/^[A-Za-z0-9_:./-]{1,128}$/.test(groupsClaim)) {
    throw new ConfigError(`Cannot parse BRANCHLINE_OIDC_GROUPS_CLAIM: "${groupsClaim}" is not a claim name`);
  }
  const ca = env['BRANCHLINE_OIDC_CA'] || undefined;
  const oidc = {
    issuer,
    clientId,
    redirectUri,
    scopes: Object.freeze(scopes.includes('openid') ? scopes : ['openid', ...scopes]),
    groupsClaim,
    roleMap: Object.freeze(roleMap),
    mfaAmr: Object.freeze(words('BRANCHLINE_OIDC_MFA_AMR')),
    mfaAcr: Object.freeze(words('BRANCHLINE_OIDC_MFA_ACR')),
    caFile: ca === undefined ? undefined : path.resolve(ca),
  };
  Object.defineProperty(oidc, 'clientSecret', { value: clientSecret, enumerable: false });
  return Object.freeze(oidc) as OidcConfig;
}

const LEVELS = setting('BRANCHLINE_LOG_LEVEL').choices ?? [];

/** Validates an environment once and returns a frozen Config. Throws ConfigError naming the variable. */
/** Settings the setup wizard also stores; a value in the environment wins over the stored one. */
const WIZARD_SETTINGS = [
  'BRANCHLINE_BRANCH_ID',
  'BRANCHLINE_TIMEZONE',
  'BRANCHLINE_PHONE_REGION',
  'BRANCHLINE_MAIL_FROM',
  'BRANCHLINE_SMTP_RELAY_URL',
  'BRANCHLINE_IMAP_URL',
] as const;

export function loadConfig(env: Env): Config {
  const bind = text(env, 'BRANCHLINE_BIND');
  if (!/^[0-9a-fA-F:.]+$|^localhost$/.test(bind)) {
    throw new ConfigError(`Cannot parse BRANCHLINE_BIND: "${bind}" is not an IP address`);
  }
  const logLevel = text(env, 'BRANCHLINE_LOG_LEVEL') as LogLevel;
  if (!LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_LOG_LEVEL: "${logLevel}" is not one of ${LEVELS.join(', ')}`,
    );
  }
  const https = text(env, 'BRANCHLINE_HTTPS');
  if (https !== 'on' && https !== 'off') {
    throw new ConfigError(`Cannot parse BRANCHLINE_HTTPS: "${https}" is not on or off`);
  }
  const branchId = text(env, 'BRANCHLINE_BRANCH_ID');
  if (!/^[A-Za-z0-9_]{1,32}$/.test(branchId)) {
    throw new ConfigError(
      `Cannot parse BRANCHLINE_BRANCH_ID: "${branchId}" is not 1-32 letters, digits or _`,
    );
  }
  const zone = timeZone(env);
  const config: Config = {
    dataDir: path.resolve(text(env, 'BRANCHLINE_DATA_DIR')),
    ...cryptoSuite(env),
    bind,
    httpPort: port(env, 'BRANCHLINE_HTTP_PORT'),
    httpsPort: port(env, 'BRANCHLINE_HTTPS_PORT'),
    sipPort: port(env, 'BRANCHLINE_SIP_PORT'),
    sipTlsPort: port(env, 'BRANCHLINE_SIP_TLS_PORT'),
    smtpPort: port(env, 'BRANCHLINE_SMTP_PORT'),
    hqUrl: url(env, 'BRANCHLINE_HQ_URL'),
    hqCredentialsFile: env['BRANCHLINE_HQ_CREDENTIALS_FILE']
      ? path.resolve(env['BRANCHLINE_HQ_CREDENTIALS_FILE'])
      : undefined,
    hqPort: port(env, 'BRANCHLINE_HQ_PORT'),
    siem: siemSettings(env),
    oidc: oidcSettings(env),
    recordingArchive: {
      chunkBytes: int(env, 'BRANCHLINE_ARCHIVE_CHUNK_BYTES'),
      intervalSeconds: int(env, 'BRANCHLINE_ARCHIVE_INTERVAL_SECONDS'),
    },
    directory: directorySettings(env),
    branchId,
    sessionIdleMinutes: int(env, 'BRANCHLINE_SESSION_IDLE_MINUTES'),
    logLevel,
    maxBodyBytes: int(env, 'BRANCHLINE_MAX_BODY_BYTES'),
    httpsEnabled: https === 'on',
    wechatApiBase: url(env, 'BRANCHLINE_WECHAT_API_BASE') ?? text(env, 'BRANCHLINE_WECHAT_API_BASE'),
    wecomApiBase: url(env, 'BRANCHLINE_WECOM_API_BASE') ?? text(env, 'BRANCHLINE_WECOM_API_BASE'),
    timeZone: zone,
    phoneRegion: phoneRegion(env, zone),
    ...mailSettings(env),
    imap: imapSettings(env),
    ...voiceSettings(env),
    ...mediaSettings(env),
  };
  // Not enumerable: where a value came from is not part of the configuration (the same
  // config compares equal whether a default was set explicitly or not).
  Object.defineProperty(config, 'pinnedByEnvironment', {
    value: WIZARD_SETTINGS.filter((name) => (env[name] ?? '') !== ''),
    enumerable: false,
  });
  return Object.freeze(config);
}

/** The only place that reads process.env. */
export function configFromProcess(): Config {
  return loadConfig(process.env);
}

/** Every declared setting's effective value in this process, secrets masked; throws ConfigError like configFromProcess(). */
export function effectiveFromProcess(): EffectiveSetting[] {
  return effectiveSettings(process.env, loadConfig(process.env));
}
