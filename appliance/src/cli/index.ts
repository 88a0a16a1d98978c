/**
 * Operator CLI and the control socket it uses to reach a running appliance.
 * @example
 * const control = await serveControlSocket(core, config.dataDir); // in main.ts
 * await control.close();
 */

export { auditCommand } from './audit.ts';
export { backupCommand } from './backup.ts';
export { controlSocketPath, serveControlSocket } from './control-socket.ts';
export type { OpName, OpResult } from './ops.ts';
export { runOp } from './ops.ts';
