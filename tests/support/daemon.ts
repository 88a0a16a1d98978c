import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { until } from './until.ts';

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A real Debian daemon a test runs in the foreground (slapd, rsyslogd): `start()` spawns it and waits
 * until every port in `ports` accepts connections (failing with its output if it exits first);
 * `stop()` ends it with SIGTERM, SIGKILL after 10 s. Both may be called again (outage tests).
 */
export function foregroundDaemon(name: string, bin: string, args: string[], ports: number[]) {
  let proc: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout?.on('data', (d) => {
      output += d;
    });
    p.stderr?.on('data', (d) => {
      output += d;
    });
    await until(`${name} listening on ${ports.join(', ')}`, async () => {
      if (p.exitCode !== null) throw new Error(`${name} exited (${p.exitCode}): ${output}`);
      for (const port of ports) if (!(await portOpen(port))) return undefined;
      return true;
    });
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  return { start, stop, output: () => output };
}
