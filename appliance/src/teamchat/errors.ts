import { DomainError } from '../contracts/index.ts';

export type TeamChatErrorCode =
  | 'TEAMCHAT_NOT_FOUND'
  | 'TEAMCHAT_NOT_MEMBER'
  | 'TEAMCHAT_UNKNOWN_USER'
  | 'TEAMCHAT_INVALID_CHANNEL';

export class TeamChatError extends DomainError<TeamChatErrorCode> {
  override name = 'TeamChatError';
}
