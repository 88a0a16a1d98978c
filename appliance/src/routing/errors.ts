import { DomainError } from '../contracts/index.ts';

export type RoutingErrorCode =
  | 'ROUTING_EXPRESSION_INVALID'
  | 'ROUTING_NOT_FOUND'
  | 'ROUTING_INVALID_CONFIG'
  | 'ROUTING_OFFER_GONE'
  | 'ROUTING_NOT_AN_AGENT'
  | 'ROUTING_TASK_EXISTS'
  /** A delete refused: `details.usedBy` lists who uses the item, by kind, id and name. */
  | 'ROUTING_IN_USE';

export class RoutingError extends DomainError<RoutingErrorCode> {
  override name = 'RoutingError';
}
