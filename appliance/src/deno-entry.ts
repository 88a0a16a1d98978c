// `deno run -A appliance/src/deno-entry.ts`: the whole appliance under Deno 2
// (npm package `deno`), the same composition as `npm start` — main.ts's
// startAppliance: every module (tickets, wallboard, channels, voice, sync…),
// LevelDB stores under BRANCHLINE_DATA_DIR (leveldown's Node-API addon loads
// under Deno), the console from web/dist, the WebSocket gateway, SIP/SMTP
// listeners, jobs and the CLI control socket, with the same settings.
// Not verified under Deno (nothing tests it there): the mediasoup media engine
// (the default werift engine runs), calls with real media, HQ sync, systemd
// notify/watchdog and the CLI against a Deno-run appliance. See docs/deno.md.
import { createLogger } from './logging/index.ts';
import { runFromCommandLine } from './main.ts';

await runFromCommandLine('deno').catch((err: unknown) => {
  createLogger('deno').error('start-up failed', { err });
  process.exit(1);
});
