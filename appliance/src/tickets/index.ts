/**
 * Tickets: versioned workflows with guards, departments and round-robin
 * assignment, SLA clocks on business calendars with escalations, encrypted
 * notes and attachments, merge/split, full history, customer notifications.
 * @example
 * const tickets = new TicketService({ bus, tickets: encryptedStore, definitions: store });
 * await tickets.seed();
 * const t = await tickets.lifecycle.create({ subject: 'Card blocked', description: '…' }, actor);
 */

/**
 * Business-calendar arithmetic for SLA clocks.
 * @example
 * addBusinessMinutes({ timeZone: 'Asia/Shanghai', weekly: { 1: [['09:00', '18:00']] } }, new Date(), 60);
 */
export {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  type HoursWindow,
  isBusinessTime,
  validateCalendar,
} from './calendar.ts';
/**
 * Coded errors: TICKETS_TRANSITION_REFUSED, TICKETS_INVALID_WORKFLOW, …
 * @example
 * if (err instanceof TicketsError && err.code === 'TICKETS_TRANSITION_REFUSED') show(err.details);
 */
export { TicketsError, type TicketsErrorCode } from './errors.ts';
/**
 * The service; its parts are `lifecycle`, `notes`, `merger`, `sla`, `workflows`, `departments`, `policies`.
 * @example
 * await tickets.lifecycle.transition(id, 'l2', actor, { fields: { diagnosis: 'faulty card reader' } });
 */
export { type TicketFilter, TicketService, type TicketServiceOptions, type TicketView } from './facade.ts';
/**
 * The module for module-list.ts.
 * @example
 * export const MODULES = [ticketsModule];
 */
export { ticketsModule } from './module.ts';
/**
 * Customer-facing notice text for a state (zh-CN / en).
 * @example
 * renderNotice(ticket, 'resolved');
 */
export { renderNotice } from './notify.ts';
/**
 * Seed data: the default workflow and SLA policy.
 * @example
 * await tickets.workflows.ensure(DEFAULT_WORKFLOW);
 */
export { DEFAULT_SLA_POLICY, DEFAULT_WORKFLOW } from './seed.ts';
export type { CreateTicketInput, TicketPatch } from './service.ts';
/**
 * The stored layout, for bulk loads that bypass the service (benchmarks,
 * imports): a ticket's document, its list-index entries, its sealed fields and key.
 * @example
 * await store.bulkPut([ticketDoc(t), ...ticketIndexDocs(t)]);
 */
export { TICKET_SEALED_FIELDS, ticketDoc, ticketIndexDocs, ticketKeyId } from './store.ts';
/**
 * Data shapes.
 * @example
 * const p: Priority = 'urgent';
 */
export type {
  AttachmentMeta,
  CustomerReplier,
  Department,
  EscalationAction,
  HistoryEntry,
  Priority,
  SlaPolicy,
  Ticket,
  TicketActor,
  TicketNote,
  Workflow,
  WorkflowInput,
} from './types.ts';
/**
 * Definition-time validation; errors name the state.
 * @example
 * validateWorkflow(input); // throws TICKETS_INVALID_WORKFLOW { state }
 */
export { validateWorkflow } from './workflow.ts';
