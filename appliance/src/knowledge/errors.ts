import { DomainError } from '../contracts/index.ts';

export type KnowledgeErrorCode =
  | 'KNOWLEDGE_NOT_FOUND'
  | 'KNOWLEDGE_WRONG_STATUS'
  | 'KNOWLEDGE_SELF_REVIEW'
  | 'KNOWLEDGE_UNKNOWN_CATEGORY'
  | 'KNOWLEDGE_RATE_LIMITED';

export class KnowledgeError extends DomainError<KnowledgeErrorCode> {
  override name = 'KnowledgeError';
}
