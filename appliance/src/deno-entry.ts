// `deno run -A appliance/src/deno-entry.ts`: the whole appliance under Deno 2
// (npm package `deno`), the same composition as `npm start` — main.ts's
// startAppliance: every module (tickets, wallboard, channels, voice, sync…),
// LevelDB stores under BRANCHLINE_DATA_DIR (leveldown's Node-API addon loads
// under Deno), the console from web/dist, the WebSocket gateway, SIP/SMTP
// listeners, jobs and the CLI control socket, with the same settings.
// Not verified under Deno (nothing tests it there): the mediasoup media engine
// (the default werift engine runs), calls with real media, HQ sync, systemd
// notify/watchdog and the CLI against a Deno-run appliance. See docs/deno.md.
import { configFromProcess } from './config/index.ts';
import { createLogger, setLogLevel } from './logging/index.ts';
import { startAppliance } from './main.ts';

const log = createLogger('deno');
let config: ReturnType<typeof configFromProcess>;
try {
  config = configFromProcess();
} catch (err) {
  process.stderr.write(`branchline: ${(err as Error).message}\n`);
  process.exit(78); // EX_CONFIG, as main.ts
}
setLogLevel(config.logLevel);
const appliance = await startAppliance(config, (line) => process.stdout.write(`${line}\n`));
log.info(`deno serving [http:${appliance.httpPort}]`);
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
