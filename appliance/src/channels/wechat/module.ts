import type { BranchModule, ModuleContext } from '../../modules.ts';
import { WechatChannel } from './channel.ts';
import { conversationsOf } from './conversations-port.ts';
import { wechatRoutes } from './routes.ts';
import type { Flavour } from './types.ts';

/** Builds the module of one WeChat-family channel; WeCom reuses it with its own flavour. */
export function wechatFamilyModule(flavour: Flavour): BranchModule {
  return {
    name: `channels.${flavour}`,
    async init(ctx: ModuleContext) {
      const conversations = conversationsOf(ctx, `channels.${flavour}`);
      const channel = new WechatChannel(flavour, await ctx.openStore(`channel-${flavour}`), {
        crypto: ctx.services.crypto,
        bus: ctx.services.bus,
        apiBaseUrl: flavour === 'wechat' ? ctx.config.wechatApiBase : ctx.config.wecomApiBase,
      });
      conversations.registerSender(channel.sender);
      return {
        routes: [wechatRoutes(channel)],
        // The inbox worker is a timer-driven loop: Node only, like other listeners.
        async listen() {
          channel.start((msg) => conversations.ingest(msg));
        },
        close: () => channel.close(),
      };
    },
  };
}

/** WeChat Official Account: callbacks at /api/channels/wechat/callback, admin at …/config. */
export const wechatModule: BranchModule = wechatFamilyModule('wechat');
