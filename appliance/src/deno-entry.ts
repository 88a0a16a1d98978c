// The same HTTP app under Deno 2 (`deno run -A appliance/src/deno-entry.ts`):
// the core contexts over in-memory stores, served by Deno.serve. Proves the app
// module uses only Web-standard Request/Response; the Node entry is main.ts.
import { ephemeralSigner } from './audit/index.ts';
import { composeCore } from './compose.ts';
import { configFromProcess } from './config/index.ts';
import { createLogger } from './logging/index.ts';
import { MemoryDocStore, openCrypto } from './storage/index.ts';

interface DenoServeInfo {
  remoteAddr: { hostname: string };
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (req: Request, info: DenoServeInfo) => Response | Promise<Response>,
  ): { finished: Promise<void> };
};

const log = createLogger('deno');
const config = configFromProcess();
const crypto = await openCrypto(config.dataDir);
const core = await composeCore({
  config,
  crypto,
  signer: await ephemeralSigner(),
  openStore: async (name) => new MemoryDocStore(name),
  health: async () => ({ status: 'ok', runtime: 'deno' }),
  clientIp: (c) => (c.env as { info?: DenoServeInfo } | undefined)?.info?.remoteAddr.hostname ?? 'unknown',
});
const first = await core.identity.ensureInitialAdmin({ dataDir: config.dataDir });
if (first) process.stdout.write(`initial admin password: ${first.password}\n`);
Deno.serve(
  {
    port: config.httpPort,
    hostname: config.bind,
    onListen: ({ port }) => log.info(`deno serving [http:${port}]`),
  },
  (req, info) => core.app.fetch(req, { info }),
);
