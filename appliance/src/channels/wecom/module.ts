import type { BranchModule } from '../../modules.ts';
import { wechatFamilyModule } from '../wechat/index.ts';

/**
 * WeCom (企业微信): same callback algorithm as the OA with the corpid as
 * receiver id and an encrypted echostr on URL verification; 微信客服 messages
 * pulled with `kf/sync_msg` when the `kf_msg_or_event` doorbell rings (cursor
 * kept durably), media through `media/get`; replies through 微信客服
 * `kf/send_msg` to the external contact.
 */
export const wecomModule: BranchModule = wechatFamilyModule('wecom');
