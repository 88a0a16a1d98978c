import { parseArgs } from 'node:util';
import { type CliIo, operate } from './operate.ts';

const USAGE = 'Usage: branchline keys rotate [--data-dir DIR]';

export async function keysCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  if (positionals[0] !== 'rotate') {
    io.err(USAGE);
    return 2;
  }
  return operate({ ...io, dataDir: values['data-dir'] ?? io.dataDir }, 'keys.rotate', {});
}
