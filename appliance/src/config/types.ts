import type { LogLevel } from '../logging/index.ts';

/** The validated, frozen configuration passed down from `main.ts`. */
export interface Config {
  /** Root of all on-disk state (databases, keys, recordings, backups). */
  readonly dataDir: string;
  readonly bind: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly sipPort: number;
  readonly smtpPort: number;
  /** HQ CouchDB URL; undefined means no sync. */
  readonly hqUrl: string | undefined;
  readonly hqPort: number;
  /** Idle session timeout in minutes (default 15). */
  readonly sessionIdleMinutes: number;
  readonly logLevel: LogLevel;
  /** Largest accepted HTTP request body in bytes (default 1 MiB). */
  readonly maxBodyBytes: number;
  /** When false, HTTPS is not started (tests that only need loopback HTTP). */
  readonly httpsEnabled: boolean;
}
