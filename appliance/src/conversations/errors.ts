import { DomainError } from '../contracts/index.ts';

export type ConversationsErrorCode =
  | 'CONVERSATIONS_NOT_FOUND'
  | 'CONVERSATIONS_INVALID_TRANSITION'
  | 'CONVERSATIONS_INVALID_STATE'
  | 'CONVERSATIONS_NO_SENDER'
  | 'CONVERSATIONS_ATTACHMENT_TOO_LARGE'
  | 'CONVERSATIONS_ATTACHMENT_TYPE'
  | 'CONVERSATIONS_ATTACHMENT_BLOCKED'
  | 'CONVERSATIONS_NOT_ASSIGNED'
  | 'CONVERSATIONS_INVALID_MESSAGE';

export class ConversationsError extends DomainError<ConversationsErrorCode> {
  override name = 'ConversationsError';
}
