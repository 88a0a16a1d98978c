import { parseArgs } from 'node:util';
import { createBackup, restoreBackup } from '../system/index.ts';

export interface BackupIo {
  dataDir: string;
  out: (s: string) => void;
  err: (s: string) => void;
}

const USAGE = `Usage:
  branchline backup create [--out FILE]
  branchline backup restore FILE --target DIR --recovery-key KEY [--force]`;

/**
 * `branchline backup create|restore`. Returns the process exit code:
 * 0 done, 1 failed, 2 usage error.
 */
export async function backupCommand(argv: string[], io: BackupIo): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    if (sub === 'create' && positionals.length === 0) {
      const res = await createBackup(io.dataDir, values.out === undefined ? {} : { out: values.out });
      io.out(`Backup written: ${res.file} (${res.files} files, ${res.bytes} bytes)`);
      return 0;
    }
    if (sub === 'restore' && positionals.length === 1 && values.target && values['recovery-key']) {
      const res = await restoreBackup(positionals[0]!, {
        target: values.target,
        recoveryKey: values['recovery-key'],
        force: values.force === true,
      });
      io.out(`Backup restored into ${values.target} (${res.files} files, ${res.bytes} bytes)`);
      return 0;
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.err(`backup ${sub} failed: ${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}`);
    return 1;
  }
  io.err(USAGE);
  return 2;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      target: { type: 'string' },
      'recovery-key': { type: 'string' },
      force: { type: 'boolean' },
    },
  });
}
