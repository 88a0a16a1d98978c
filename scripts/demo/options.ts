// Demo settings from flags and BRANCHLINE_* environment variables.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

export interface DemoAgentLogin {
  username: string;
  password: string;
}

export interface DemoOptions {
  base: URL;
  /** The host SMTP and SIP traffic goes to (the base URL's host). */
  host: string;
  smtpPort: number;
  sipPort: number;
  chats: number;
  emails: number;
  calls: number;
  /** Hard stop for the whole run. */
  seconds: number;
  /** New contacts started per second. */
  rate: number;
  agents: DemoAgentLogin[];
}

export const USAGE = `usage: npm run demo -- [--chats N] [--emails N] [--calls N] [--seconds S] [--rate R] [--url URL]
  --url      appliance base URL (default http://127.0.0.1:$BRANCHLINE_HTTP_PORT, port 8080)
  --chats    web chats to start (default 10)      --emails  emails to send (default 5)
  --calls    SIP calls with sipp (default 0)      --seconds stop after S seconds (default 60)
  --rate     new contacts per second (default 2)
env: BRANCHLINE_SMTP_PORT (2525), BRANCHLINE_SIP_PORT (5060),
     BRANCHLINE_DEMO_AGENTS="user:password,..." agents (no-MFA roles) that accept, reply and wrap up.`;

function count(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new RangeError(`--${name} must be a number 0..${max}`);
  return n;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new RangeError(`${name} must be a port 1..65535`);
  return n;
}

/** Loopback, RFC 1918 / link-local / ULA addresses and localhost: the demo never sends elsewhere. */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) {
    const [a = 0, b = 0] = h.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (isIP(h) === 6) return h === '::1' || /^f[cd]/.test(h) || h.startsWith('fe80:');
  return false;
}

export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      chats: { type: 'string' },
      emails: { type: 'string' },
      calls: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new HelpRequested();
  const httpPort = port('BRANCHLINE_HTTP_PORT', env['BRANCHLINE_HTTP_PORT'], 8080);
  const base = new URL(values.url ?? env['BRANCHLINE_DEMO_URL'] ?? `http://127.0.0.1:${httpPort}`);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new RangeError(`--url must be http(s): ${base.href}`);
  if (!isLocalHost(base.hostname))
    throw new RangeError(
      `--url ${base.hostname} is not a loopback or LAN address; the demo only drives local appliances`,
    );
  const agents = (env['BRANCHLINE_DEMO_AGENTS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      if (i < 1) throw new RangeError('BRANCHLINE_DEMO_AGENTS must be "user:password,..."');
      return { username: pair.slice(0, i), password: pair.slice(i + 1) };
    });
  const rate = count('rate', values.rate, 2, 100);
  return {
    base,
    host: base.hostname.replace(/^\[|\]$/g, ''),
    smtpPort: port('BRANCHLINE_SMTP_PORT', env['BRANCHLINE_SMTP_PORT'], 2525),
    sipPort: port('BRANCHLINE_SIP_PORT', env['BRANCHLINE_SIP_PORT'], 5060),
    chats: Math.floor(count('chats', values.chats, 10, 10_000)),
    emails: Math.floor(count('emails', values.emails, 5, 10_000)),
    calls: Math.floor(count('calls', values.calls, 0, 1_000)),
    seconds: count('seconds', values.seconds, 60, 86_400),
    rate: rate > 0 ? rate : 2,
    agents,
  };
}

export class HelpRequested extends Error {}
