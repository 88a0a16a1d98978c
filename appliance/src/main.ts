// Composition root: config → logger → stores → services → http → jobs. Node only;
// `compose.ts` holds the runtime-neutral part that Deno also runs.
import { realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { smtpBoundPort } from './channels/email/index.ts';
import { serveControlSocket } from './cli/index.ts';
import { type Config, configFromProcess } from './config/index.ts';
import { localCaRoute, serveNode, staticSpa, WsGateway } from './http/index.ts';
import { createLogger, setLogLevel } from './logging/index.ts';
import { MODULES } from './module-list.ts';
import { openCoreOnDisk } from './on-disk.ts';
import {
  createBackup,
  createHealth,
  createScheduler,
  ensureRecoveryKey,
  ensureTlsMaterial,
  isLoopbackBind,
  notify,
  readCertificateExpiry,
  selfTestChecks,
  startWatchdog,
  tlsHostsFor,
} from './system/index.ts';
import { type MediaAlarm, openMediaEngine, sipBoundPort } from './voice/index.ts';

const log = createLogger('main');
const VERSION = '0.1.0';
const WEB_ROOT = path.resolve(import.meta.dirname, '../../web/dist/console');

export interface Appliance {
  httpPort: number;
  httpsPort: number | undefined;
  close(): Promise<void>;
}

/** Starts the whole appliance on `config`; resolves once it serves `/healthz`. */
export async function startAppliance(config: Config, print: (line: string) => void): Promise<Appliance> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  let raiseAlarm = (_alarm: MediaAlarm): Promise<unknown> => Promise.resolve();
  // BRANCHLINE_MEDIA_ENGINE=mediasoup with a missing or broken worker stops start-up here (no fallback).
  const media = await openMediaEngine({
    engine: config.mediaEngine,
    workerBin: config.mediasoupWorkerBin,
    cacheDir: config.cacheDir,
    logger: createLogger('media'),
    onAlarm: (a) => void raiseAlarm(a),
  });
  let storesOk = true;
  let listening = false;
  const health = createHealth({
    dataDir: config.dataDir,
    version: VERSION,
    checks: {
      stores: async () => ({ ok: storesOk }),
      // SIEM forwarding (when configured): not ok while one of its alarms is raised.
      ...(config.siem ? { siem: async () => siemCheck() } : {}),
    },
    ready: () => listening,
    selfTest: selfTestChecks({
      bind: config.bind,
      sipPort: sipBoundPort,
      smtpPort: smtpBoundPort,
      storesOpen: () => storesOk && listening,
      verifyAudit: () => core.audit.verify(),
    }),
  });
  const core = await openCoreOnDisk(config, {
    modules: MODULES,
    health: async (request) => ({
      ...(await health.snapshot(request)),
      media: media.info,
      ...(core.services.siem ? { siem: core.services.siem.status() } : {}),
    }),
    clientIp: (c) => getConnInfo(c).remote.address ?? 'unknown',
    staticHandler: staticSpa(WEB_ROOT),
    version: VERSION,
  });

  raiseAlarm = (a) => core.bus.publish('system.alarm_raised', a, { actor: 'system' });
  const siemCheck = () => {
    const s = core.services.siem?.status();
    if (!s) return { ok: false, detail: 'not started' };
    const detail = `${s.state}, backlog ${s.backlog}${s.alarms.length > 0 ? `, alarms: ${s.alarms.join(' ')}` : ''}`;
    return { ok: s.alarms.length === 0, detail };
  };

  const first = await core.identity.ensureInitialAdmin({ dataDir: config.dataDir });
  const recovery = await ensureRecoveryKey(config.dataDir);
  if (first) {
    // Printed once, on the first run only; the file copy is mode 0600.
    print(`initial admin password: ${first.password}  (user "${first.username}", also in ${first.file})`);
  }
  if (recovery.created) print(`backup recovery key: ${recovery.recoveryKey}  (store it offline; shown once)`);
  // The one-time password file goes once it is no longer the password (also for older data dirs).
  const retireAdminFile = async () => {
    if (await core.identity.retireInitialAdminFile({ dataDir: config.dataDir })) {
      log.info('initial admin password changed; removed the one-time password file');
    }
  };
  await retireAdminFile();
  const offPasswordChanged = core.bus.subscribe('user.password_changed', () =>
    retireAdminFile().catch((err: unknown) => log.error('cannot remove the one-time password file', { err })),
  );

  // On the LAN the certificate names the host name and the addresses listened on,
  // as found at start and re-checked every minute (DHCP, a new interface).
  let hosts = tlsHostsFor(config.bind);
  const tls = config.httpsEnabled ? await ensureTlsMaterial(config.dataDir, { hosts }) : undefined;
  const gateway = new WsGateway(core.bus, {
    resolveSession: core.identity.resolveSession,
    checkSession: core.identity.sessionPrincipal,
  });
  const servers = await serveNode(core.app, {
    bind: config.bind,
    httpPort: config.httpPort,
    gateway,
    upgrades: core.upgrades,
    publicRoutes: tls ? [...core.publicRoutes, localCaRoute(tls.ca)] : core.publicRoutes,
    redirectHttp: !isLoopbackBind(config.bind),
    ...(tls ? { tls: { key: tls.key, cert: tls.cert }, httpsPort: config.httpsPort } : {}),
  });

  await core.listen();
  const control = await serveControlSocket(core, config.dataDir);
  const jobs = createScheduler();
  jobs.schedule('session-sweep', '* * * * *', async () => {
    await core.identity.sweepSessions();
  });
  jobs.schedule('audit-checkpoint', '*/5 * * * *', async () => {
    await core.audit.checkpoint();
  });
  jobs.schedule('backup', '30 2 * * *', async () => {
    const b = await createBackup(config.dataDir);
    await core.bus.publish('system.backup_created', { file: b.file, bytes: b.bytes });
  });
  if (tls && !isLoopbackBind(config.bind)) {
    jobs.schedule('cert-names', '* * * * *', async () => {
      const now = tlsHostsFor(config.bind);
      if (now.join(' ') === hosts.join(' ')) return;
      hosts = now;
      const next = await ensureTlsMaterial(config.dataDir, { hosts });
      if (next.issued) {
        servers.setTls({ key: next.key, cert: next.cert });
        log.info('server certificate reissued for new names', { hosts });
      }
    });
  }
  if (tls) {
    jobs.schedule('cert-expiry', '0 6 * * *', async () => {
      const notAfter = await readCertificateExpiry(tls.certPath);
      const days = (notAfter.getTime() - Date.now()) / 86_400_000;
      if (days < 30) {
        await core.bus.publish('system.alarm_raised', {
          alarm: 'tls.certificate_expiring',
          severity: days < 7 ? 'critical' : 'warning',
          detail: `server certificate expires ${notAfter.toISOString()}`,
        });
      }
    });
  }
  const watchdog = startWatchdog({ intervalMs: 10_000 });
  listening = true;
  await notify(`READY=1\nSTATUS=serving http:${servers.httpPort}`);
  log.info(`ready [http:${servers.httpPort}, https:${servers.httpsPort ?? 'off'}, data:${config.dataDir}]`);

  let closing: Promise<void> | undefined;
  return {
    httpPort: servers.httpPort,
    httpsPort: servers.httpsPort,
    close() {
      closing ??= (async () => {
        storesOk = false;
        offPasswordChanged();
        await notify('STOPPING=1');
        watchdog.close();
        await jobs.close();
        gateway.close();
        await servers.close();
        await control.close();
        await core.close();
        await media.close();
      })();
      return closing;
    },
  };
}

/** Reads the settings from the environment, starts, and stops on SIGTERM/SIGINT (Node and Deno entries). */
export async function runFromCommandLine(logLabel = 'main'): Promise<void> {
  let config: Config;
  try {
    config = configFromProcess();
  } catch (err) {
    process.stderr.write(`branchline: ${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  setLogLevel(config.logLevel);
  const appliance = await startAppliance(config, (line) => process.stdout.write(`${line}\n`));
  if (logLabel !== 'main') createLogger(logLabel).info(`${logLabel} serving [http:${appliance.httpPort}]`);
  const stop = (signal: string) => {
    log.info(`stopping [signal:${signal}]`);
    appliance.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** True when this file is the entry point, also when started through a symlink
 * (branchline.service runs /opt/branchline/current/… while the module's own
 * path is the resolved slot: without realpath the appliance loaded and exited 0). */
function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === import.meta.filename;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runFromCommandLine().catch((err) => {
    log.error('start-up failed', { err });
    process.exit(1);
  });
}
