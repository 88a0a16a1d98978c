import { hostname } from 'node:os';
import type { BranchModule } from '../modules.ts';
import { CursorStore } from './cursor-store.ts';
import { SiemForwarder } from './forwarder.ts';
import { describe } from './link.ts';

/**
 * Audit → SIEM. Runs when BRANCHLINE_SIEM_URL is set: forwarding starts with the
 * listeners (never in the Deno smoke test) and reads the audit log in sequence.
 */
export const siemModule: BranchModule = {
  name: 'siem',
  async init(ctx) {
    const { config, services } = ctx;
    const siem = config.siem;
    if (!siem) return {};
    const audit = services.audit;
    const forwarder = new SiemForwarder({
      config: siem,
      source: {
        lastSeq: () => audit.lastSeq,
        after: async (seq, limit) => (await audit.search({ after: seq, limit })).records,
      },
      cursor: new CursorStore(await ctx.openStore('siem'), describe(siem)),
      syslog: { hostname: hostname(), branchId: config.branchId, procId: String(process.pid) },
      alarm: (a) => {
        services.bus.publish('system.alarm_raised', a, { actor: 'system' }).catch(() => undefined);
      },
    });
    ctx.provide('siem', forwarder);
    return {
      listen: () => forwarder.start(),
      close: () => forwarder.close(),
    };
  },
};
