/**
 * WeCom (企业微信) channel: callbacks at /api/channels/wecom/callback, admin at
 * /api/channels/wecom/config; the shared machinery lives in ../wechat.
 * @example
 * import { wecomModule } from './channels/wecom/index.ts';
 * export const MODULES = [conversationsModule, wecomModule];
 */

/**
 * @example
 * MODULES.push(wecomModule);
 */
export { wecomModule } from './module.ts';
