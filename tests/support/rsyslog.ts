import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foregroundDaemon } from './daemon.ts';
import { freePort } from './ports.ts';

// A real syslog collector for tests: Debian's rsyslogd (packages rsyslog and
// rsyslog-gnutls) with a private config in a temp dir, imtcp on 127.0.0.1 with
// octet-counted framing and, for TLS, the gtls driver with the given server
// certificate. Messages that arrive over TCP are written, one per line, to a
// file: RFC 5424 version, APP-NAME, MSGID and the structured data as rsyslog parsed them.

export interface CollectorTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** One received message as rsyslog parsed it. */
export interface Received {
  version: string;
  appName: string;
  msgId: string;
  /** PARAM-NAME → unescaped PARAM-VALUE of the first SD element. */
  sd: Record<string, string>;
  sdId: string;
}

export interface Rsyslog {
  port: number;
  /** Received messages so far, in arrival order. */
  received(): Promise<Received[]>;
  /** Stops rsyslogd (SIGTERM, waits for it to exit); the file stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** rsyslogd's own output, for failure messages. */
  log(): string;
  /** Stops it and removes the temp dir. Idempotent. */
  cleanup(): Promise<void>;
}

const BIN = '/usr/sbin/rsyslogd';

/** Parses `1 branchline audit [id a="x" b="y\"z"]` lines of the collector's file. */
export function parseReceived(line: string): Received | undefined {
  const m = /^(\S+) (\S+) (\S+) \[(\S+)((?: [^=\s]+="(?:[^"\\]|\\.)*")*)\]$/.exec(line);
  if (!m) return undefined;
  const sd: Record<string, string> = {};
  for (const p of (m[5] ?? '').matchAll(/ ([^=\s]+)="((?:[^"\\]|\\.)*)"/g)) {
    sd[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
  }
  return { version: m[1]!, appName: m[2]!, msgId: m[3]!, sdId: m[4]!, sd };
}

/** Starts rsyslogd on a free loopback port; with `tls`, only TLS (RFC 5425) is accepted there. */
export async function startRsyslog(options: { tls?: CollectorTls } = {}): Promise<Rsyslog> {
  if (!existsSync(BIN)) {
    throw new Error(
      'rsyslogd is not installed: the SIEM tests need a real syslog collector. ' +
        'Install it with `apt-get install -y rsyslog rsyslog-gnutls` (or firmware-scripts/install-system-deps.sh --test)',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'bl-rsyslog-'));
  const port = await freePort();
  const file = join(dir, 'received.log');
  const tls = options.tls;
  const conf = [
    `global(workDirectory="${dir}" maxMessageSize="64k"${
      tls
        ? ` defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}" defaultNetstreamDriverKeyFile="${tls.keyFile}"`
        : ''
    })`,
    'module(load="imtcp" maxSessions="50")',
    'template(name="siem" type="string" string="%protocol-version% %app-name% %msgid% %structured-data%\\n")',
    `ruleset(name="siem") { action(type="omfile" file="${file}" template="siem") }`,
    `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="siem"${
      tls ? ' streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon"' : ''
    })`,
    // rsyslogd's own messages (sessions opened/closed, TLS errors) go to a file of their own.
    `action(type="omfile" file="${join(dir, 'internal.log')}")`,
  ].join('\n');
  await writeFile(join(dir, 'rsyslog.conf'), `${conf}\n`);
  const daemon = foregroundDaemon(
    'rsyslogd',
    BIN,
    ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')],
    [port],
  );
  const { start, stop } = daemon;
  await start();
  let cleaned = false;
  return {
    port,
    async received() {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const r = parseReceived(l);
          if (!r) throw new Error(`collector wrote an unparsable line: ${l}`);
          return r;
        });
    },
    stop,
    start,
    log: daemon.output,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
