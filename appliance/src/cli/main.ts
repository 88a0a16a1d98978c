// `branchline` operator CLI. Run through bin/branchline.mjs.

import { configFromProcess } from '../config/index.ts';
import { auditCommand } from './audit.ts';
import { backupCommand } from './backup.ts';
import { configCommand } from './config.ts';
import { keysCommand } from './keys.ts';
import { recordingsCommand } from './recordings.ts';
import { userCommand } from './user.ts';

const HELP = `branchline — operator CLI for the Branchline appliance

Commands:
  audit verify [--json]                 check the hash chain, Merkle checkpoints and signatures
  audit export --format jsonl|csv       export audit records (auditors)
  user freeze <username> [--reason R]   lock a user out at once (live sessions and sockets end)
  user unfreeze <username>
  keys rotate                           new key-encryption key; data keys rewrapped online
  keys migrate-suite classic|gm         switch the crypto suite; fields re-encrypted online (appliance running)
  backup create [--out FILE]            encrypted archive of the data directory
  backup restore FILE --target DIR --recovery-key KEY
  config [--json]                       effective settings (environment or default), secrets masked
  recordings verify-export FILE.tar     check an exported recording's signed manifest and hashes offline

Every command takes --data-dir DIR (default $BRANCHLINE_DATA_DIR or ./var/data).`;

const COMMANDS: Record<string, typeof userCommand> = {
  audit: auditCommand,
  backup: backupCommand,
  config: configCommand,
  keys: keysCommand,
  recordings: recordingsCommand,
  user: userCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`branchline: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  const config = configFromProcess();
  return command(rest, {
    dataDir: config.dataDir,
    out: (s) => console.log(s),
    err: (s) => console.error(s),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`branchline: ${err.message}`);
    process.exit(1);
  },
);
