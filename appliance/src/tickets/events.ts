import type { Priority, SlaKind } from './types.ts';

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'ticket.created': { ticketId: string; number: string; customerId?: string; recipientUserId?: string };
    /** One per history entry: every change to a ticket. */
    'ticket.updated': { ticketId: string; number: string; action: string; fields: string[] };
    'ticket.transitioned': {
      ticketId: string;
      number: string;
      from: string;
      to: string;
      recipientUserId?: string;
    };
    'ticket.assigned': { ticketId: string; number: string; departmentId?: string; recipientUserId?: string };
    'ticket.note_added': { ticketId: string; noteId: string; kind: 'internal' | 'reply' };
    'ticket.attachment_added': { ticketId: string; attachmentId: string; bytes: number };
    'ticket.merged': { ticketId: string; intoTicketId: string };
    'ticket.split': { ticketId: string; newTicketId: string; noteIds: string[] };
    'ticket.sla_breached': {
      ticketId: string;
      number: string;
      kind: SlaKind;
      dueAt: string;
      recipientUserId?: string;
    };
    'ticket.escalated': {
      ticketId: string;
      number: string;
      kind: SlaKind;
      action: 'reassign' | 'notify' | 'raise_priority';
      recipientUserId?: string;
      departmentId?: string;
      priority?: Priority;
    };
    'ticket.customer_notified': {
      ticketId: string;
      state: string;
      delivered: boolean;
      language: string;
      contactId?: string;
      reason?: string;
    };
    'ticket.workflow_published': { workflowId: string; version: number };
    'ticket.department_saved': { departmentId: string; members: string[] };
    'ticket.department_deleted': { departmentId: string; name: string };
    'ticket.sla_policy_saved': { policyId: string };
  }
}
