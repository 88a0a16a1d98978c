import { parseArgs } from 'node:util';
import { type EffectiveSetting, effectiveFromProcess } from '../config/index.ts';
import type { CliIo } from './operate.ts';

const USAGE = 'Usage: branchline config [--json]';

function line(s: EffectiveSetting): string {
  const note = s.value === undefined ? 'unset' : s.source;
  return `${s.name}=${s.value ?? ''}`.padEnd(60) + `  # ${note}`;
}

/** `branchline config`: every setting's effective value, secrets masked, grouped by the program reading it. */
export async function configCommand(argv: string[], io: CliIo): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    if (positionals.length > 0) throw new TypeError(`unexpected argument "${positionals[0]}"`);
    json = values.json === true;
  } catch (err) {
    io.err(`branchline config: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const rows = effectiveFromProcess();
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  io.out('# effective configuration; secrets masked');
  let program = '';
  for (const s of rows) {
    if (s.program !== program) {
      program = s.program;
      io.out(`\n# read by: ${program}`);
    }
    io.out(line(s));
  }
  return 0;
}
