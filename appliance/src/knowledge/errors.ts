import { DomainError } from '../contracts/index.ts';
import type { KbVersion } from './types.ts';

export type KnowledgeErrorCode =
  | 'KNOWLEDGE_NOT_FOUND'
  | 'KNOWLEDGE_WRONG_STATUS'
  | 'KNOWLEDGE_SELF_REVIEW'
  | 'KNOWLEDGE_UNKNOWN_CATEGORY'
  | 'KNOWLEDGE_CATEGORY_IN_USE'
  | 'KNOWLEDGE_RATE_LIMITED';

export class KnowledgeError extends DomainError<KnowledgeErrorCode> {
  override name = 'KnowledgeError';
}

export function notFound(id: string, version?: number): KnowledgeError {
  const what = version === undefined ? `article ${id}` : `version ${version} of article ${id}`;
  return new KnowledgeError('KNOWLEDGE_NOT_FOUND', `No ${what}`, { status: 404, details: { id } });
}

export function wrongStatus(v: KbVersion, expected: string): KnowledgeError {
  return new KnowledgeError(
    'KNOWLEDGE_WRONG_STATUS',
    `Version ${v.version} of article ${v.articleId} is ${v.status}, expected ${expected}`,
    { status: 409, details: { status: v.status, expected } },
  );
}
