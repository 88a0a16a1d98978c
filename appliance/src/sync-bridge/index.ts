/**
 * The appliance side of HQ sync: listens to the bus, writes policy-shaped
 * projections, replicates them to HQ and applies inbound freezes and policies.
 * @example
 * // module-list.ts
 * export const MODULES = [..., ticketsModule, syncBridgeModule];
 */
export { syncBridgeModule } from './module.ts';
