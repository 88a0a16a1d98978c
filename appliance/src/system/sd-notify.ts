import { execFile } from 'node:child_process';
import { createLogger } from '../logging/index.ts';

const log = createLogger('system');

export interface NotifyOptions {
  /**
   * The socket systemd gave us (a path, or '@name' for the abstract namespace).
   * Defaults to `NOTIFY_SOCKET`: that variable is systemd's start-up handshake, not
   * configuration, so it is read here rather than in config/.
   */
  socket?: string | undefined;
  /** Path of the helper; default `systemd-notify` on PATH. */
  command?: string;
  timeoutMs?: number;
}

/**
 * Sends an sd_notify state ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=…",
 * several separated by newlines). Node has no unix datagram sockets, so this runs
 * `systemd-notify`, which speaks the protocol (abstract '@' sockets included) and,
 * in systemd ≥ 246 (252 on Debian 12), waits until the manager has read the message: that closes the
 * race where a short-lived sender exits before systemd can attribute it. Because the
 * sender is a child, the unit needs `NotifyAccess=all`. Resolves false, never
 * throws, when there is no socket (not under systemd) or the helper is missing/fails.
 */
export function notify(state: string, options: NotifyOptions = {}): Promise<boolean> {
  const socket = 'socket' in options ? options.socket : process.env['NOTIFY_SOCKET'];
  const fields = state.split('\n').filter((l) => l.length > 0);
  if (!socket || fields.length === 0) return Promise.resolve(false);
  if (fields.some((f) => !/^[A-Z_]+=/.test(f))) {
    return Promise.reject(new TypeError(`Cannot notify: state lines must look like NAME=value: ${state}`));
  }
  return new Promise((resolve) => {
    execFile(
      options.command ?? 'systemd-notify',
      fields,
      { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: options.timeoutMs ?? 5000 },
      (err) => {
        if (err) log.warn('sd_notify failed', { state: fields.join(' '), error: err });
        resolve(!err);
      },
    );
  });
}

/**
 * Pings WATCHDOG=1 every `intervalMs` (use half of the unit's WatchdogSec).
 * Only pings from the event loop, so a wedged loop makes systemd restart us.
 */
export function startWatchdog(options: NotifyOptions & { intervalMs: number }): { close(): void } {
  if (!(options.intervalMs > 0)) throw new RangeError('Cannot start watchdog: intervalMs must be > 0');
  const timer = setInterval(() => void notify('WATCHDOG=1', options), options.intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
