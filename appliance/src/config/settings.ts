// Every environment setting, declared once. load.ts takes defaults and bounds
// from here, `branchline config` prints effective values from here, and the
// README's settings table is generated from here (scripts/gen-settings-table.ts).
import { z } from 'zod';

/** Which program reads a setting: `both` = the appliance and `npm run hq`. */
export const PROGRAMS = ['appliance', 'both', 'hq', 'demo', 'chaos', 'tests'] as const;
export type Program = (typeof PROGRAMS)[number];

const KINDS = ['port', 'integer', 'on|off', 'url', 'path', 'text', 'list', 'choice'] as const;

const settingSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]+$/),
    program: z.enum(PROGRAMS),
    kind: z.enum(KINDS),
    /** The value used when the variable is unset or empty; absent = unset means off / none. */
    default: z.string().optional(),
    /** How a computed default is described (shown instead of `default`). */
    defaultText: z.string().optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    choices: z.array(z.string()).optional(),
    /** One line, shown in the README table. */
    description: z.string().regex(/^[^\n|]+$/, 'one line without |'),
    /** Masked by `branchline config` (and never logged). */
    secret: z.boolean().default(false),
  })
  .strict()
  .refine(
    (s) => s.kind !== 'integer' || (s.min !== undefined && s.max !== undefined),
    'integer needs min/max',
  )
  .refine((s) => s.kind !== 'choice' || (s.choices?.length ?? 0) > 1, 'choice needs choices')
  .refine((s) => s.default === undefined || s.defaultText === undefined, 'default or defaultText, not both');

export type Setting = z.output<typeof settingSchema>;

const MiB = 1024 * 1024;
const port = (name: string, program: Program, def: number, description: string) =>
  ({ name, program, kind: 'port', default: String(def), description }) as const;
const int = (name: string, def: number, min: number, max: number, description: string) =>
  ({ name, program: 'appliance', kind: 'integer', default: String(def), min, max, description }) as const;
const onOff = (name: string, def: 'on' | 'off', description: string) =>
  ({ name, program: 'appliance', kind: 'on|off', default: def, description }) as const;

const DECLARED: ReadonlyArray<z.input<typeof settingSchema>> = [
  // Appliance (`npm start`, the CLI reads the same environment)
  {
    name: 'BRANCHLINE_DATA_DIR',
    program: 'appliance',
    kind: 'path',
    default: './var/data',
    description: 'Root of all on-disk state: databases, keys, recordings, backups, TLS material',
  },
  {
    name: 'BRANCHLINE_BIND',
    program: 'appliance',
    kind: 'text',
    default: '127.0.0.1',
    description: 'IP address the HTTP, HTTPS, SIP and SMTP listeners bind',
  },
  port(
    'BRANCHLINE_HTTP_PORT',
    'appliance',
    8080,
    'HTTP port of the console and API (also where `npm run demo` sends)',
  ),
  port(
    'BRANCHLINE_HTTPS_PORT',
    'appliance',
    8443,
    'HTTPS port of the console and API (local-CA certificate)',
  ),
  onOff('BRANCHLINE_HTTPS', 'on', 'off: no HTTPS listener (loopback HTTP only)'),
  port('BRANCHLINE_SIP_PORT', 'appliance', 5060, 'SIP over UDP and TCP; 0 = ephemeral'),
  port(
    'BRANCHLINE_SIP_TLS_PORT',
    'appliance',
    5061,
    'SIP over TLS; 0 = ephemeral (set it when two instances share a host)',
  ),
  port('BRANCHLINE_SMTP_PORT', 'appliance', 2525, 'Inbound SMTP of the email channel'),
  {
    name: 'BRANCHLINE_HQ_URL',
    program: 'appliance',
    kind: 'url',
    description: 'HQ CouchDB URL to replicate with; unset = no sync',
  },
  {
    name: 'BRANCHLINE_SIEM_URL',
    program: 'appliance',
    kind: 'url',
    description:
      'Syslog collector every audit record is also sent to: tls://host:6514 (RFC 5425) or tcp://host:514 (RFC 6587); unset = none',
  },
  {
    name: 'BRANCHLINE_SIEM_CA',
    program: 'appliance',
    kind: 'path',
    description:
      "PEM CA file the collector's certificate is verified against (private CA); unset = the system CAs (always verified)",
  },
  int(
    'BRANCHLINE_SIEM_BACKLOG_ALARM',
    10_000,
    1,
    10_000_000,
    'Audit records waiting for the syslog collector beyond which an alarm is raised',
  ),
  int(
    'BRANCHLINE_SIEM_ALARM_AFTER_SECONDS',
    300,
    1,
    86_400,
    'Seconds the syslog collector may be unreachable before an alarm is raised',
  ),
  int(
    'BRANCHLINE_SIEM_MAX_RATE',
    1000,
    1,
    100_000,
    'Most audit records per second sent to the syslog collector (catching up stays within its EPS licence)',
  ),
  int(
    'BRANCHLINE_ARCHIVE_CHUNK_BYTES',
    1_048_576,
    1024,
    8_388_608,
    'Bytes per request when encrypted recordings are archived to HQ (the residency policy decides whether they are)',
  ),
  int(
    'BRANCHLINE_ARCHIVE_INTERVAL_SECONDS',
    300,
    1,
    86_400,
    'Seconds between passes of the recording archive to HQ when nothing is waiting',
  ),
  {
    name: 'BRANCHLINE_DIRECTORY_URL',
    program: 'appliance',
    kind: 'url',
    description:
      'LDAP/Active Directory for directory sign-in: ldaps://host:636, or ldap://host:389 upgraded with StartTLS (always); unset = local accounts only',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_BIND_DN',
    program: 'appliance',
    kind: 'text',
    description:
      'DN of the service account that searches the directory (needed with BRANCHLINE_DIRECTORY_URL)',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_BIND_PASSWORD',
    program: 'appliance',
    kind: 'text',
    secret: true,
    description: 'Password of the directory service account (or BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE)',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE',
    program: 'appliance',
    kind: 'path',
    description:
      'File holding the directory service account password (instead of BRANCHLINE_DIRECTORY_BIND_PASSWORD)',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_BASE_DN',
    program: 'appliance',
    kind: 'text',
    description: 'Base DN users and groups are searched under (needed with BRANCHLINE_DIRECTORY_URL)',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_USER_ATTRIBUTES',
    program: 'appliance',
    kind: 'list',
    default: 'sAMAccountName,uid,mail',
    description: 'Comma-separated attributes a sign-in name is matched against (any of them)',
  },
  {
    name: 'BRANCHLINE_DIRECTORY_CA',
    program: 'appliance',
    kind: 'path',
    description:
      "PEM CA file the directory's certificate is verified against (private CA); unset = the system CAs (always verified)",
  },
  int(
    'BRANCHLINE_DIRECTORY_SYNC_SECONDS',
    30,
    1,
    50,
    'Seconds between re-reads of directory users (disabled, removed or unmapped ones are frozen); at most 50 so a freeze lands within 60 s',
  ),
  {
    name: 'BRANCHLINE_OIDC_ISSUER',
    program: 'appliance',
    kind: 'url',
    description:
      'OpenID Connect issuer for single sign-on (https; http only on loopback); unset = no SSO button',
  },
  {
    name: 'BRANCHLINE_OIDC_CLIENT_ID',
    program: 'appliance',
    kind: 'text',
    description: 'Client id the appliance is registered with at the OpenID Connect issuer',
  },
  {
    name: 'BRANCHLINE_OIDC_CLIENT_SECRET',
    program: 'appliance',
    kind: 'text',
    secret: true,
    description: 'Client secret for BRANCHLINE_OIDC_CLIENT_ID (client_secret_basic)',
  },
  {
    name: 'BRANCHLINE_OIDC_REDIRECT_URI',
    program: 'appliance',
    kind: 'url',
    defaultText: 'the console address signed in from + `/api/auth/oidc/callback`',
    description: 'Redirect URI registered at the issuer; its origin + `/` is the post-logout redirect',
  },
  {
    name: 'BRANCHLINE_OIDC_SCOPES',
    program: 'appliance',
    kind: 'list',
    default: 'openid profile email',
    description: 'Scopes asked for (space-separated; openid is always included)',
  },
  {
    name: 'BRANCHLINE_OIDC_GROUPS_CLAIM',
    program: 'appliance',
    kind: 'text',
    default: 'groups',
    description: 'ID token / userinfo claim holding the groups or roles mapped to appliance roles',
  },
  {
    name: 'BRANCHLINE_OIDC_ROLE_MAP',
    program: 'appliance',
    kind: 'text',
    default: '{}',
    description:
      'JSON map group → appliance role(s), e.g. {"cc-agents":"agent","cc-admins":["admin"]}; a user with no mapped group is refused',
  },
  {
    name: 'BRANCHLINE_OIDC_MFA_AMR',
    program: 'appliance',
    kind: 'list',
    default: 'mfa,otp,hwk,swk,sc,fpt,face,iris,retina,vbm',
    description: '`amr` values that count as multi-factor: the TOTP step is skipped for privileged roles',
  },
  {
    name: 'BRANCHLINE_OIDC_MFA_ACR',
    program: 'appliance',
    kind: 'list',
    description: '`acr` values that count as multi-factor (comma-separated); unset = only `amr` counts',
  },
  {
    name: 'BRANCHLINE_OIDC_CA',
    program: 'appliance',
    kind: 'path',
    description:
      "PEM CA file the issuer's TLS certificate is verified against (private CA); unset = the system CAs",
  },
  {
    name: 'BRANCHLINE_HQ_CREDENTIALS_FILE',
    program: 'appliance',
    kind: 'path',
    description:
      "HQ enrolment bundle (JSON: username, password, HQ's public keys) for replication; unset = credentials from the HQ URL, if any",
  },
  port('BRANCHLINE_HQ_PORT', 'both', 5984, 'Port of the embedded HQ CouchDB endpoint (`npm run hq`)'),
  {
    name: 'BRANCHLINE_BRANCH_ID',
    program: 'appliance',
    kind: 'text',
    default: 'B01',
    description: "This branch's id at HQ (1-32 letters, digits, _); names its HQ databases",
  },
  int('BRANCHLINE_SESSION_IDLE_MINUTES', 15, 1, 1440, 'Console sessions end after this many idle minutes'),
  {
    name: 'BRANCHLINE_LOG_LEVEL',
    program: 'appliance',
    kind: 'choice',
    default: 'info',
    choices: ['debug', 'info', 'warn', 'error', 'silent'],
    description: 'Log level',
  },
  {
    name: 'BRANCHLINE_CRYPTO_SUITE',
    program: 'appliance',
    kind: 'choice',
    choices: ['classic', 'gm'],
    description:
      'Encryption suite chosen at first start (classic: XChaCha20-Poly1305/SHA-256; gm: SM4/SM3); unset = the stored one (classic when new); another than stored is refused — migrate with branchline keys migrate-suite',
  },
  int('BRANCHLINE_MAX_BODY_BYTES', MiB, 1024, 64 * MiB, 'Largest accepted HTTP request body in bytes'),
  {
    name: 'BRANCHLINE_TIMEZONE',
    program: 'appliance',
    kind: 'text',
    defaultText: "the server's zone",
    description: 'IANA time zone reporting days, wallboard "today" and business hours follow',
  },
  {
    name: 'BRANCHLINE_PHONE_REGION',
    program: 'appliance',
    kind: 'text',
    defaultText: 'from the time zone, else CN',
    description: 'ISO 3166 region national phone numbers are read in',
  },
  {
    name: 'BRANCHLINE_WECHAT_API_BASE',
    program: 'appliance',
    kind: 'url',
    default: 'https://api.weixin.qq.com',
    description: 'WeChat Official Account API base URL',
  },
  {
    name: 'BRANCHLINE_WECOM_API_BASE',
    program: 'appliance',
    kind: 'url',
    default: 'https://qyapi.weixin.qq.com',
    description: 'WeCom API base URL',
  },
  {
    name: 'BRANCHLINE_MAIL_DOMAINS',
    program: 'appliance',
    kind: 'list',
    description:
      'Comma-separated domains or addresses inbound SMTP accepts; unset = any, from loopback peers only',
  },
  {
    name: 'BRANCHLINE_MAIL_FROM',
    program: 'appliance',
    kind: 'text',
    defaultText: 'branch@ + the first mail domain, else localhost',
    description: 'From address of email replies',
  },
  {
    name: 'BRANCHLINE_SMTP_RELAY_URL',
    program: 'appliance',
    kind: 'url',
    secret: true,
    description:
      'smtp(s)://[user:pass@]host:port relay for email replies; unset = replies fail with EMAIL_RELAY_NOT_CONFIGURED',
  },
  int('BRANCHLINE_SMTP_MAX_BYTES', 25 * MiB, 1024, 100 * MiB, 'Largest inbound email in bytes (SMTP SIZE)'),
  onOff('BRANCHLINE_SMTP_STARTTLS', 'off', 'Offer STARTTLS on inbound SMTP'),
  {
    name: 'BRANCHLINE_MAIL_ATTACHMENT_TYPES',
    program: 'appliance',
    kind: 'list',
    defaultText: 'office documents, PDF/OFD, images (HEIC too), text, CSV, calendar, forwarded mail',
    description: 'Comma-separated MIME types inbound mail may attach; others are quarantined for an admin',
  },
  int(
    'BRANCHLINE_MAIL_ATTACHMENT_MAX_BYTES',
    25 * MiB,
    1024,
    100 * MiB,
    'Largest attachment an inbound mail may store, in bytes; larger ones are quarantined',
  ),
  int(
    'BRANCHLINE_MAIL_ATTACHMENT_MAX_COUNT',
    20,
    1,
    100,
    'Most attachments stored per inbound mail; the rest are quarantined',
  ),
  int(
    'BRANCHLINE_MAIL_BODY_MAX_CHARS',
    60_000,
    1000,
    64_000,
    'Longest inbound mail body shown, in characters; the original is kept as an encrypted .eml',
  ),
  {
    name: 'BRANCHLINE_IMAP_URL',
    program: 'appliance',
    kind: 'url',
    description: 'imaps://user@host[:993][/Folder] mailbox to poll; unset = no IMAP polling',
  },
  {
    name: 'BRANCHLINE_IMAP_PASSWORD',
    program: 'appliance',
    kind: 'text',
    secret: true,
    description: 'Password for BRANCHLINE_IMAP_URL (or use BRANCHLINE_IMAP_PASSWORD_FILE)',
  },
  {
    name: 'BRANCHLINE_IMAP_PASSWORD_FILE',
    program: 'appliance',
    kind: 'path',
    description: 'File holding the IMAP password (instead of BRANCHLINE_IMAP_PASSWORD)',
  },
  int('BRANCHLINE_IMAP_POLL_SECONDS', 60, 1, 86_400, 'Seconds between IMAP polls'),
  {
    name: 'BRANCHLINE_IMAP_MOVE_TO',
    program: 'appliance',
    kind: 'text',
    description: 'Folder imported mail is moved to; unset = mark it \\Seen and leave it',
  },
  onOff(
    'BRANCHLINE_IMAP_ALLOW_PLAIN',
    'off',
    'on: allow plain imap:// without STARTTLS, loopback hosts only',
  ),
  {
    name: 'BRANCHLINE_SIP_TRUNKS',
    program: 'appliance',
    kind: 'list',
    description: 'Trusted SIP trunks by source address, name=ip[,ip];…; unset = no trunk',
  },
  {
    name: 'BRANCHLINE_DIALOUT_PREFIXES',
    program: 'appliance',
    kind: 'list',
    description: 'Comma-separated number prefixes phones may dial out to; unset = no dial-out',
  },
  onOff('BRANCHLINE_NOISE_SUPPRESSION', 'on', 'Noise suppression on audio from SIP trunks and desk phones'),
  onOff(
    'BRANCHLINE_SIP_SDES_OVER_PLAIN',
    'off',
    'on: accept and send SRTP keys (SDP a=crypto) over SIP UDP/TCP too — the keys then cross the LAN in clear; off: SDES only over SIP TLS',
  ),
  int(
    'BRANCHLINE_SRTP_ALARM_THRESHOLD',
    50,
    1,
    1_000_000,
    'SRTP packets failing authentication or replayed on one call leg before an alarm is raised',
  ),
  {
    name: 'BRANCHLINE_MEDIA_ENGINE',
    program: 'appliance',
    kind: 'choice',
    default: 'werift',
    choices: ['werift', 'mediasoup'],
    description: 'Engine that carries call media',
  },
  {
    name: 'MEDIASOUP_WORKER_BIN',
    program: 'appliance',
    kind: 'path',
    description: 'Absolute path of the mediasoup worker; unset = the one build-mediasoup-worker.sh cached',
  },
  {
    name: 'BRANCHLINE_CACHE_DIR',
    program: 'appliance',
    kind: 'path',
    default: '/var/cache/branchline',
    description: 'Build cache root the mediasoup worker is found in',
  },
  // HQ (`npm run hq`)
  {
    name: 'BRANCHLINE_HQ_DATA_DIR',
    program: 'hq',
    kind: 'path',
    default: './var/hq',
    description: 'Root of the embedded HQ state',
  },
  port('BRANCHLINE_HQ_CONSOLE_PORT', 'hq', 0, 'HQ console port; 0 = ephemeral (printed at start)'),
  {
    name: 'BRANCHLINE_HQ_CONSOLE_BIND',
    program: 'hq',
    kind: 'text',
    default: '127.0.0.1',
    description: 'HQ console bind address; non-loopback needs BRANCHLINE_HQ_TLS_DIR',
  },
  {
    name: 'BRANCHLINE_HQ_PUBLIC_URL',
    program: 'hq',
    kind: 'url',
    description: 'HQ URL as branches reach it, written into join bundles; unset = the local replication port',
  },
  {
    name: 'BRANCHLINE_HQ_TLS_DIR',
    program: 'hq',
    kind: 'path',
    description:
      'Folder with ca.crt, server.crt, private/server.key: HTTPS console and the mTLS front; unset = plain HTTP',
  },
  port(
    'BRANCHLINE_HQ_TLS_PORT',
    'hq',
    6984,
    'mTLS front of the HQ CouchDB endpoint (with BRANCHLINE_HQ_TLS_DIR)',
  ),
  {
    name: 'BRANCHLINE_HQ_BRANCHES',
    program: 'hq',
    kind: 'list',
    description:
      "Comma-separated branch ids enrolled at start (they get HQ's document rules before their first push)",
  },
  // Demo traffic and the test runner
  {
    name: 'BRANCHLINE_DEMO_URL',
    program: 'demo',
    kind: 'url',
    defaultText: 'http://127.0.0.1 at BRANCHLINE_HTTP_PORT',
    description: 'Appliance `npm run demo` drives (or --url)',
  },
  {
    name: 'BRANCHLINE_DEMO_AGENTS',
    program: 'demo',
    kind: 'list',
    secret: true,
    description: 'user:password,… agents (no-MFA roles) that accept, reply and wrap up demo contacts',
  },
  {
    name: 'CHAOS_SCALE',
    program: 'chaos',
    kind: 'integer',
    default: '2',
    min: 1,
    max: 10,
    description: '`npm run chaos` load scale (or --scale)',
  },
  {
    name: 'CHAOS_KILLS',
    program: 'chaos',
    kind: 'integer',
    default: '3',
    min: 0,
    max: 20,
    description: '`npm run chaos` SIGKILL rounds (or --kills)',
  },
  {
    name: 'BRANCHLINE_SKIP_WEB_BUILD',
    program: 'tests',
    kind: 'text',
    description: 'Any value: `npm test` does not check or build the console bundle',
  },
];

function validate(list: typeof DECLARED): readonly Readonly<Setting>[] {
  const out = list.map((s) => Object.freeze(settingSchema.parse(s)));
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.name)) throw new TypeError(`Setting ${s.name} is declared twice`);
    seen.add(s.name);
  }
  return Object.freeze(out);
}

/** Every setting, in README order. */
export const SETTINGS = validate(DECLARED);

const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

/** The declaration of `name`; TypeError for a name the schema does not declare. */
export function setting(name: string): Readonly<Setting> {
  const s = BY_NAME.get(name);
  if (!s) throw new TypeError(`Setting ${name} is not declared in config/settings.ts`);
  return s;
}

/** `name`'s value in `env`, or its declared default when unset or empty. */
export function rawSetting(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? setting(name).default : v;
}
