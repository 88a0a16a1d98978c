import { DomainError } from '../../contracts/index.ts';

export type WechatErrorCode =
  | 'WECHAT_BAD_SIGNATURE'
  | 'WECHAT_STALE_TIMESTAMP'
  | 'WECHAT_DECRYPT_FAILED'
  | 'WECHAT_RECEIVER_MISMATCH'
  | 'WECHAT_BAD_XML'
  | 'WECHAT_BODY_TOO_LARGE'
  | 'WECHAT_NOT_CONFIGURED'
  | 'WECHAT_API_FAILED'
  /** A media file that is too large or not an allowed type: kept out, the message keeps a marker. */
  | 'WECHAT_MEDIA_REFUSED';

/** WeChat OA and WeCom failures (the two platforms share one algorithm and one code set). */
export class WechatError extends DomainError<WechatErrorCode> {
  override name = 'WechatError';
}
