import { loadConfig } from '../config/index.ts';
import { openCoreOnDisk } from '../on-disk.ts';
import { callControlSocket } from './control-client.ts';
import { controlSocketPath } from './control-socket.ts';
import { type OpName, type OpResult, runOp } from './ops.ts';

export interface CliIo {
  dataDir: string;
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Runs an operation on the running appliance through its control socket, or,
 * when none is running, directly on the data directory (audited the same way).
 */
export async function operate(
  io: CliIo,
  op: OpName,
  args: Record<string, string | undefined>,
): Promise<number> {
  let result: OpResult | undefined = await callControlSocket(controlSocketPath(io.dataDir), op, args);
  if (result) {
    io.out(`${result.message} (via the running appliance)`);
  } else {
    const config = loadConfig({ ...process.env, BRANCHLINE_DATA_DIR: io.dataDir });
    const core = await openCoreOnDisk(config, { health: async () => ({ status: 'ok' }) });
    try {
      result = await runOp(core, op, args);
    } finally {
      await core.close();
    }
    io.out(result.message);
  }
  if (!result.ok) io.err(`branchline: ${result.message}`);
  return result.ok ? 0 : 1;
}
