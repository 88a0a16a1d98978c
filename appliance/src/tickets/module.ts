import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { TicketService } from './facade.ts';
import { ticketAdminRoutes } from './routes-admin.ts';
import { ticketRoutes } from './routes-tickets.ts';
import { TICKET_SEALED_FIELDS, ticketKeyId } from './store.ts';

declare module '../modules.ts' {
  interface Services {
    tickets: TicketService;
  }
}

/** The appliance itself, for tickets it opens on its own (offline web chat). */
const SYSTEM_ACTOR = { userId: 'system', roles: [], permissions: new Set(['tickets.write', 'tickets.read']) };

/** SLA clocks are checked this often in production. */
const SLA_CHECK_MS = 30_000;

export const ticketsModule: BranchModule = {
  name: 'tickets',
  async init(ctx) {
    const raw = await ctx.openStore('tickets');
    const tickets = new EncryptedDocStore(raw, {
      crypto: ctx.services.crypto,
      fields: [...TICKET_SEALED_FIELDS],
      keyIdFor: ticketKeyId,
    });
    const service = new TicketService({
      bus: ctx.services.bus,
      tickets,
      definitions: await ctx.openStore('ticket-defs'),
      // SLA escalations name users by id: unknown ones are refused on save.
      userExists: (id) =>
        ctx.services.identity.getUser(id).then(
          () => true,
          () => false,
        ),
      // Looked up per use so module order does not matter.
      replier: () => ctx.services.conversations,
      recordRead: (actor, ticketId) =>
        ctx.recordRead({
          actor: actor.userId,
          target: `ticket:${ticketId}`,
          action: 'ticket.view',
          ...(actor.source === undefined ? {} : { source: actor.source }),
        }),
    });
    await service.seed();
    // Tickets stored before the list index existed get their entries once (resumable).
    await service.backfillIndex();
    ctx.provide('tickets', service);
    // A web chat left outside business hours becomes a ticket, so it is answered when the branch opens.
    const offOffline = ctx.services.bus.subscribe('webchat.offline_message_received', async (e) => {
      await service.createFromContact(
        e.data.contactId,
        {
          subject: 'Web chat message left outside business hours',
          description:
            'Left in the web chat widget while the branch was closed; see the linked conversation.',
          tags: ['offline', 'webchat'],
        },
        SYSTEM_ACTOR,
      );
    });
    return {
      routes: [ticketRoutes(service), ticketAdminRoutes(service)],
      async listen() {
        service.sla.start(SLA_CHECK_MS);
      },
      close: async () => {
        offOffline();
        await service.close();
      },
    };
  },
};
