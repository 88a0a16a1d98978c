import { DomainError } from '../../contracts/index.ts';

export type WebchatErrorCode =
  | 'WEBCHAT_BAD_FRAME'
  | 'WEBCHAT_FRAME_TOO_LARGE'
  | 'WEBCHAT_NOT_READY'
  | 'WEBCHAT_UNKNOWN_FILE'
  | 'WEBCHAT_NO_CONTACT'
  | 'WEBCHAT_CSAT_ALREADY'
  | 'WEBCHAT_UPLOAD_REFUSED';

export class WebchatError extends DomainError<WebchatErrorCode> {
  override name = 'WebchatError';
}
