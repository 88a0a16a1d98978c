import type { BranchModule } from '../../modules.ts';
import { wechatFamilyModule } from '../wechat/index.ts';

/**
 * WeCom (企业微信): same callback algorithm as the OA with the corpid as
 * receiver id and an encrypted echostr on URL verification; replies through
 * 微信客服 `kf/send_msg` to the external contact.
 */
export const wecomModule: BranchModule = wechatFamilyModule('wecom');
