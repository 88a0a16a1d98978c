import { parseArgs } from 'node:util';
import { type CliIo, operate } from './operate.ts';

const USAGE = `Usage:
  branchline user freeze <username> [--reason TEXT] [--data-dir DIR]
  branchline user unfreeze <username> [--data-dir DIR]`;

export async function userCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { reason: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const [sub, username] = positionals;
  if ((sub !== 'freeze' && sub !== 'unfreeze') || !username) {
    io.err(USAGE);
    return 2;
  }
  const dataDir = values['data-dir'] ?? io.dataDir;
  return operate({ ...io, dataDir }, sub === 'freeze' ? 'user.freeze' : 'user.unfreeze', {
    username,
    reason: values.reason,
  });
}
