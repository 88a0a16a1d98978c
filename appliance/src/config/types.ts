import type { LogLevel } from '../logging/index.ts';

/** The validated, frozen configuration passed down from `main.ts`. */
export interface Config {
  /** Root of all on-disk state (databases, keys, recordings, backups). */
  readonly dataDir: string;
  /** Crypto suite asked for (BRANCHLINE_CRYPTO_SUITE, classic|gm); undefined = the key ring's stored one. */
  readonly cryptoSuite?: 'classic' | 'gm';
  readonly bind: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly sipPort: number;
  /** SIP over TLS listener (BRANCHLINE_SIP_TLS_PORT, default 5061; 0 = ephemeral). TCP shares sipPort. */
  readonly sipTlsPort: number;
  readonly smtpPort: number;
  /** HQ CouchDB URL; undefined means no sync. */
  readonly hqUrl: string | undefined;
  /** HQ enrolment bundle file (BRANCHLINE_HQ_CREDENTIALS_FILE): replication credentials + HQ's public keys. */
  readonly hqCredentialsFile: string | undefined;
  readonly hqPort: number;
  /** Audit forwarding to the firm's syslog collector (BRANCHLINE_SIEM_URL and the BRANCHLINE_SIEM_* settings); undefined = off. */
  readonly siem: SiemConfig | undefined;
  /** Recording archive to HQ (BRANCHLINE_ARCHIVE_CHUNK_BYTES, BRANCHLINE_ARCHIVE_INTERVAL_SECONDS); whether it runs is the residency policy's. */
  readonly recordingArchive: { readonly chunkBytes: number; readonly intervalSeconds: number };
  /** Directory sign-in over LDAP/AD (BRANCHLINE_DIRECTORY_URL and the BRANCHLINE_DIRECTORY_* settings); undefined = off. */
  readonly directory: DirectoryConfig | undefined;
  /** Single sign-on with OpenID Connect (BRANCHLINE_OIDC_ISSUER and the BRANCHLINE_OIDC_* settings); undefined = off. */
  readonly oidc: OidcConfig | undefined;
  /** This branch's id at HQ (BRANCHLINE_BRANCH_ID, default B01): names its HQ databases. */
  readonly branchId: string;
  /** Idle session timeout in minutes (default 15). */
  readonly sessionIdleMinutes: number;
  readonly logLevel: LogLevel;
  /** Largest accepted HTTP request body in bytes (default 1 MiB). */
  readonly maxBodyBytes: number;
  /** When false, HTTPS is not started (tests that only need loopback HTTP). */
  readonly httpsEnabled: boolean;
  /** Channels (issue 3): WeChat OA / WeCom API bases (a local fake in tests). */
  readonly wechatApiBase: string;
  readonly wecomApiBase: string;
  /** Recipient domains or addresses inbound SMTP accepts; empty = any, but only from loopback peers. */
  readonly mailDomains: readonly string[];
  /** From address of outbound replies; its domain names our Message-IDs. */
  readonly mailFrom: string;
  /** smtp(s)://[user:pass@]host:port of the outbound relay; undefined = replies fail with EMAIL_RELAY_NOT_CONFIGURED. */
  readonly smtpRelayUrl: string | undefined;
  /** Largest inbound message in bytes (SIZE extension; default 25 MiB). */
  readonly smtpMaxBytes: number;
  /** Offer STARTTLS on inbound SMTP with the appliance's TLS material. */
  readonly smtpStartTls: boolean;
  /** MIME types inbound mail may attach (BRANCHLINE_MAIL_ATTACHMENT_TYPES, comma-separated; default office documents, images incl. HEIC, PDF, text, calendar, forwarded mail); others are quarantined. */
  readonly mailAttachmentTypes: readonly string[];
  /** Largest attachment an inbound mail may store, in bytes (BRANCHLINE_MAIL_ATTACHMENT_MAX_BYTES, default 25 MiB); larger ones are quarantined. */
  readonly mailAttachmentMaxBytes: number;
  /** Most attachments stored per inbound mail (BRANCHLINE_MAIL_ATTACHMENT_MAX_COUNT, default 20); the rest are quarantined. */
  readonly mailAttachmentMaxCount: number;
  /** Longest inbound mail body shown, in characters (BRANCHLINE_MAIL_BODY_MAX_CHARS, default 60000); longer ones are cut with a marker and the original kept as an encrypted .eml. */
  readonly mailBodyMaxChars: number;
  /** Optional IMAP polling of a mailbox (BRANCHLINE_IMAP_URL); undefined = off. */
  readonly imap: ImapConfig | undefined;
  /** Voice (issue 4): SIP trunks trusted by source address (BRANCHLINE_SIP_TRUNKS="name=ip[,ip];…"). */
  readonly sipTrunks: ReadonlyArray<{ readonly name: string; readonly addresses: readonly string[] }>;
  /** Number prefixes authenticated phones may dial out to (BRANCHLINE_DIALOUT_PREFIXES, comma-separated). */
  readonly dialoutPrefixes: readonly string[];
  /** Noise suppression on what callers on SIP trunks and desk phones send (BRANCHLINE_NOISE_SUPPRESSION, on|off, default on). */
  readonly noiseSuppression: boolean;
  /** IANA zone reporting days follow (BRANCHLINE_TIMEZONE, default the server's zone), whatever the process TZ. */
  readonly timeZone: string;
  /** Region national phone numbers are read in (BRANCHLINE_PHONE_REGION, ISO 3166 alpha-2; default from the time zone, CN when it names none). */
  readonly phoneRegion: string;
  /** SDES keys (a=crypto) also over SIP UDP/TCP (BRANCHLINE_SIP_SDES_OVER_PLAIN, on|off, default off = TLS only). */
  readonly sdesOverPlain: boolean;
  /** SRTP auth failures + replays on one leg before an alarm (BRANCHLINE_SRTP_ALARM_THRESHOLD, default 50). */
  readonly srtpAlarmThreshold: number;
  /** Media engine (BRANCHLINE_MEDIA_ENGINE, werift|mediasoup, default werift until calls move to mediasoup). */
  readonly mediaEngine: 'werift' | 'mediasoup';
  /** mediasoup worker binary (MEDIASOUP_WORKER_BIN); undefined = the one build-mediasoup-worker.sh cached. */
  readonly mediasoupWorkerBin: string | undefined;
  /** Build cache root the mediasoup worker is found in (BRANCHLINE_CACHE_DIR, default /var/cache/branchline). */
  readonly cacheDir: string;
  /** Which of BRANCHLINE_BRANCH_ID, BRANCHLINE_TIMEZONE, BRANCHLINE_PHONE_REGION (the wizard's branch settings) and BRANCHLINE_MAIL_FROM, BRANCHLINE_SMTP_RELAY_URL, BRANCHLINE_IMAP_URL (the Channels page's email settings) the environment set: these win over the stored ones. */
  readonly pinnedByEnvironment?: readonly string[];
}

/** Where audit records are forwarded as RFC 5424 syslog (issue 15). */
export interface SiemConfig {
  /** `tls` = RFC 5425 (certificate always verified), `tcp` = plain RFC 6587 octet counting. */
  readonly transport: 'tls' | 'tcp';
  readonly host: string;
  readonly port: number;
  /** PEM CA file for a private CA (BRANCHLINE_SIEM_CA); undefined = the system CAs. */
  readonly caFile: string | undefined;
  /** Backlog (records not yet accepted) beyond which an alarm is raised (BRANCHLINE_SIEM_BACKLOG_ALARM, default 10000). */
  readonly backlogAlarm: number;
  /** Seconds unreachable before an alarm is raised (BRANCHLINE_SIEM_ALARM_AFTER_SECONDS, default 300). */
  readonly alarmAfterSeconds: number;
  /** Most records per second sent (BRANCHLINE_SIEM_MAX_RATE, default 1000). */
  readonly maxRate: number;
}

/** The LDAP/Active Directory users may sign in with (issue 15). */
export interface DirectoryConfig {
  /** ldaps:// (implicit TLS) or ldap:// (StartTLS, required); the certificate is always verified. */
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  /** Not enumerable, so serialising the config never prints it. */
  readonly bindPassword: string;
  readonly baseDn: string;
  /** Attributes a sign-in name is matched against (BRANCHLINE_DIRECTORY_USER_ATTRIBUTES). */
  readonly userAttributes: readonly string[];
  /** PEM CA file (BRANCHLINE_DIRECTORY_CA); undefined = the system CAs. */
  readonly caFile: string | undefined;
  /** Seconds between re-reads of directory users (BRANCHLINE_DIRECTORY_SYNC_SECONDS, default 30). */
  readonly syncSeconds: number;
}

/** OpenID Connect sign-in (issue 15). */
export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** Not enumerable, so serialising the config never prints it. */
  readonly clientSecret: string;
  /** undefined = derived from the address the console was reached on. */
  readonly redirectUri: string | undefined;
  readonly scopes: readonly string[];
  readonly groupsClaim: string;
  /** Group (or role claim value) → appliance roles. */
  readonly roleMap: Readonly<Record<string, readonly string[]>>;
  readonly mfaAmr: readonly string[];
  readonly mfaAcr: readonly string[];
  /** PEM CA file for a private CA; undefined = the system CAs. */
  readonly caFile: string | undefined;
}

/** Where and how the email channel polls an IMAP mailbox. */
export interface ImapConfig {
  readonly host: string;
  readonly port: number;
  /** `tls` = imaps (implicit TLS), `starttls` = imap:// upgraded (required), `plain` = loopback only, explicitly allowed. */
  readonly security: 'tls' | 'starttls' | 'plain';
  readonly user: string;
  /** Not enumerable, so serialising the config never prints it. */
  readonly password: string;
  readonly mailbox: string;
  readonly pollSeconds: number;
  /** Folder imported mail is moved to; undefined = mark it \\Seen and leave it. */
  readonly moveTo: string | undefined;
}
