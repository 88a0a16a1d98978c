import { parseArgs } from 'node:util';
import { callControlSocket } from './control-client.ts';
import { controlSocketPath } from './control-socket.ts';
import { type CliIo, operate } from './operate.ts';

const USAGE = 'Usage: branchline keys rotate|migrate-suite classic|gm [--data-dir DIR]';

export async function keysCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  const dataDir = values['data-dir'] ?? io.dataDir;
  if (positionals[0] === 'rotate') return operate({ ...io, dataDir }, 'keys.rotate', {});
  if (positionals[0] === 'migrate-suite' && (positionals[1] === 'classic' || positionals[1] === 'gm')) {
    // Only the running appliance has every encrypted store open (the modules' too), so only it can migrate.
    const result = await callControlSocket(controlSocketPath(dataDir), 'keys.migrate_suite', {
      suite: positionals[1],
    });
    if (!result) {
      io.err('branchline: keys migrate-suite needs the running appliance (start it, then run this again)');
      return 1;
    }
    if (!result.ok) {
      io.err(`branchline: ${result.message}`);
      return 1;
    }
    io.out(`${result.message} (via the running appliance)`);
    return 0;
  }
  io.err(USAGE);
  return 2;
}
