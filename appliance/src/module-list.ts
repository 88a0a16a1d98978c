import type { BranchModule } from './modules.ts';

/**
 * Modules after the core (identity, audit, customers), in dependency order:
 * a module may use the services of those listed before it.
 */
export const MODULES: BranchModule[] = [];
