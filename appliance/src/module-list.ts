import { analyticsModule } from './analytics/index.ts';
import { emailModule } from './channels/email/index.ts';
import { webchatModule } from './channels/webchat/index.ts';
import { wechatModule } from './channels/wechat/index.ts';
import { wecomModule } from './channels/wecom/index.ts';
import { conversationsModule } from './conversations/index.ts';
import { crmModule } from './crm/index.ts';
import { directoryModule, oidcModule } from './identity/index.ts';
import { intelligenceModule } from './intelligence/index.ts';
import { knowledgeModule } from './knowledge/index.ts';
import type { BranchModule } from './modules.ts';
import { routingModule } from './routing/index.ts';
import { setupModule } from './setup/index.ts';
import { siemModule } from './siem/index.ts';
import { syncBridgeModule } from './sync-bridge/index.ts';
import { systemOpsModule } from './system/index.ts';
import { teamChatModule } from './teamchat/index.ts';
import { ticketsModule } from './tickets/index.ts';
import { voiceModule } from './voice/index.ts';

/**
 * Modules after the core (identity, audit, customers), in dependency order:
 * a module may use the services of those listed before it.
 */
export const MODULES: BranchModule[] = [
  oidcModule,
  directoryModule,
  conversationsModule,
  routingModule,
  voiceModule,
  webchatModule,
  emailModule,
  wechatModule,
  wecomModule,
  knowledgeModule,
  teamChatModule,
  crmModule,
  ticketsModule,
  syncBridgeModule,
  intelligenceModule,
  analyticsModule,
  setupModule,
  systemOpsModule,
  siemModule,
];
