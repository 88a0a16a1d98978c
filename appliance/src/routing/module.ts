import { createLogger } from '../logging/index.ts';
import type { BranchModule } from '../modules.ts';
import { attachContacts, type ContactsPort, isContactsPort } from './contacts-bridge.ts';
import { offlineOnFreeze } from './freeze.ts';
import type { FlowLister } from './references.ts';
import { routingAdminRoutes } from './routes-admin.ts';
import { routingAgentRoutes } from './routes-agent.ts';
import { RoutingService } from './service.ts';

const log = createLogger('routing');

/** Routing context: needs conversations before it in module-list.ts for contacts integration. */
export const routingModule: BranchModule = {
  name: 'routing',
  async init(ctx) {
    const service = new RoutingService(await ctx.openStore('routing'), { bus: ctx.services.bus });
    await service.load();
    if (await service.seedDefaults({ timeZone: ctx.config.timeZone }))
      log.info('seeded the default calendar, queue and workflow (every channel → general)');
    const port = contactsPort(ctx.services);
    const bridge = port ? attachContacts(service, port, ctx.services.bus) : undefined;
    if (!bridge)
      log.info(
        'contacts integration off: no conversations service; tasks come from POST /api/routing/tasks only',
      );
    ctx.provide('routing', service);
    const offFreeze = offlineOnFreeze(service, ctx.services.bus);
    let closed = false;
    return {
      routes: [
        routingAgentRoutes(service),
        routingAdminRoutes(service, { flows: () => flowLister(ctx.services) }),
      ],
      async listen() {
        service.start();
        const n = await bridge?.rebuild().catch((err) => {
          log.error('rebuilding waiting tasks failed', { err });
          return 0;
        });
        if (n) log.info(`rebuilt ${n} waiting tasks from queued contacts`);
      },
      async close() {
        if (closed) return;
        closed = true;
        offFreeze();
        bridge?.close();
        service.close();
      },
    };
  },
};

/** The flows service (started after routing), seen through the port the used-by check needs. */
function flowLister(services: object): FlowLister | undefined {
  const flows = (services as Record<string, unknown>)['flows'] as Partial<FlowLister> | undefined;
  return typeof flows?.list === 'function' && typeof flows.get === 'function'
    ? (flows as FlowLister)
    : undefined;
}

/**
 * Conversations' service, seen through the port routing needs. Looked up by
 * name so routing still starts (without contacts) when it is absent.
 */
function contactsPort(services: object): ContactsPort | undefined {
  const conv = (services as Record<string, unknown>)['conversations'];
  if (!isContactsPort(conv)) return undefined;
  const list = (conv as { listContacts?: (f: { states: string[] }) => Promise<unknown[]> }).listContacts;
  if (typeof list !== 'function') return conv;
  const followUp = (conv as { followUp?: ContactsPort['followUp'] }).followUp;
  return {
    transition: (id, to, o) => conv.transition(id, to, o),
    ...(typeof followUp === 'function'
      ? {
          followUp: (id: string, input: { text: string }, actor: string) =>
            followUp.call(conv, id, input, actor),
        }
      : {}),
    listQueued: async () =>
      (await list.call(conv, { states: ['queued', 'offered'] })) as Awaited<
        ReturnType<NonNullable<ContactsPort['listQueued']>>
      >,
  };
}
