import { DomainError } from '../contracts/index.ts';

export type TicketsErrorCode =
  | 'TICKETS_NOT_FOUND'
  | 'TICKETS_INVALID_WORKFLOW'
  | 'TICKETS_TRANSITION_REFUSED'
  | 'TICKETS_INVALID_CALENDAR'
  | 'TICKETS_INVALID_REQUEST'
  | 'TICKETS_ATTACHMENT_TOO_LARGE'
  | 'TICKETS_EMPTY_GROUP'
  | 'TICKETS_IN_USE'
  | 'TICKETS_UNKNOWN_REFERENCE'
  | 'TICKETS_CLOSED';

export class TicketsError extends DomainError<TicketsErrorCode> {
  override name = 'TicketsError';
}

export const notFound = (what: string, id: string) =>
  new TicketsError('TICKETS_NOT_FOUND', `No ${what} [id:${id}]`, { status: 404, details: { what, id } });
