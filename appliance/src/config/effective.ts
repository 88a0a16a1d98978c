import { type Program, rawSetting, SETTINGS } from './settings.ts';
import type { Config } from './types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface EffectiveSetting {
  readonly name: string;
  readonly program: Program;
  /** The value in force, secrets masked; undefined = unset (off / none). */
  readonly value: string | undefined;
  readonly source: 'environment' | 'default';
}

/** Where a setting's value lands in Config, when it is a plain field (computed defaults show resolved). */
const CONFIG_FIELD: Partial<Record<string, keyof Config>> = {
  BRANCHLINE_DATA_DIR: 'dataDir',
  BRANCHLINE_TIMEZONE: 'timeZone',
  BRANCHLINE_PHONE_REGION: 'phoneRegion',
  BRANCHLINE_MAIL_FROM: 'mailFrom',
};

/** A secret as `********`; a URL keeps its scheme, user and host with the password masked. */
export function maskSecret(value: string): string {
  try {
    const u = new URL(value);
    if (u.password !== '' && u.host !== '') {
      u.password = '********';
      return u.toString();
    }
  } catch {
    // not a URL: mask all of it
  }
  return '********';
}

function show(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/**
 * Every declared setting with its effective value in `env` (validated as
 * `config`), secrets masked, e.g. for `branchline config`.
 * @example
 * effectiveSettings({ BRANCHLINE_IMAP_PASSWORD: 'pw' }, loadConfig(env)); // [..., { name: 'BRANCHLINE_IMAP_PASSWORD', value: '********', ... }]
 */
export function effectiveSettings(env: Env, config: Config): EffectiveSetting[] {
  return SETTINGS.map((s) => {
    const set = env[s.name] !== undefined && env[s.name] !== '';
    const field = CONFIG_FIELD[s.name];
    const raw = field ? show(config[field]) : rawSetting(env, s.name);
    const value = raw !== undefined && s.secret ? maskSecret(raw) : raw;
    return { name: s.name, program: s.program, value, source: set ? 'environment' : 'default' };
  });
}
