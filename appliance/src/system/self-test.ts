import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { HealthCheck } from './health.ts';

/** Where a listener bound to `bind` is reached from this host (a wildcard is probed on loopback). */
export function probeHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '') return '127.0.0.1';
  if (bind === '::') return '::1';
  return bind;
}

/** Connects to an SMTP listener and expects its `220` greeting. */
export function smtpGreets(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<{ ok: boolean; detail?: string }> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (ok: boolean, detail?: string) => {
      sock.destroy();
      clearTimeout(timer);
      resolve(detail === undefined ? { ok } : { ok, detail });
    };
    const timer = setTimeout(() => done(false, `no SMTP greeting from ${host}:${port}`), timeoutMs);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('220'), buf.startsWith('220') ? undefined : buf.trim());
    });
    sock.on('error', (err) => done(false, `${host}:${port}: ${err.message}`));
  });
}

/** Sends a SIP OPTIONS over UDP and expects any SIP response (the stack is reading its socket). */
export function sipAnswers(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<{ ok: boolean; detail?: string }> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (ok: boolean, detail?: string) => {
      clearTimeout(timer);
      sock.close();
      resolve(detail === undefined ? { ok } : { ok, detail });
    };
    const timer = setTimeout(() => done(false, `no SIP response from ${host}:${port}`), timeoutMs);
    sock.on('message', (m: Buffer) => {
      if (m.subarray(0, 8).toString('latin1') === 'SIP/2.0 ') done(true);
    });
    sock.on('error', (err) => done(false, `${host}:${port}: ${err.message}`));
    sock.bind(0, host, () => {
      const { port: local } = sock.address();
      const at = host.includes(':') ? `[${host}]` : host;
      const tag = randomBytes(6).toString('hex');
      const msg = [
        `OPTIONS sip:selftest@${at}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${at}:${local};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:selftest@${at}>;tag=${tag}`,
        `To: <sip:selftest@${at}:${port}>`,
        `Call-ID: selftest-${tag}@${at}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(msg, port, host);
    });
  });
}

export interface SelfTestOptions {
  bind: string;
  /** Bound ports once listening; undefined before (the check then fails). */
  sipPort: () => number | undefined;
  smtpPort: () => number | undefined;
  storesOpen: () => boolean;
  /** Verifies the audit chain up to its signed head. */
  verifyAudit: () => Promise<{ ok: boolean; records: number; problems: unknown[] }>;
}

/**
 * The post-update self-test behind `/healthz?selftest=1`: stores open, the audit
 * log verifies against its signed head, SIP and SMTP answer on their real sockets.
 * (mark-good.sh checks that the console is served with its own request.)
 */
export function selfTestChecks(o: SelfTestOptions): Record<string, HealthCheck> {
  const host = probeHost(o.bind);
  return {
    stores: async () => ({ ok: o.storesOpen() }),
    audit: async () => {
      const r = await o.verifyAudit();
      return r.ok
        ? { ok: true }
        : { ok: false, detail: `${r.problems.length} problem(s) in ${r.records} records` };
    },
    sip: async () => {
      const port = o.sipPort();
      return port === undefined ? { ok: false, detail: 'SIP is not listening' } : sipAnswers(host, port);
    },
    smtp: async () => {
      const port = o.smtpPort();
      return port === undefined ? { ok: false, detail: 'SMTP is not listening' } : smtpGreets(host, port);
    },
  };
}
