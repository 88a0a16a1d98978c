import type { ComponentType } from 'preact';
import type { MessageKey } from '../i18n/index.ts';
import { SoftphonePanel } from '../softphone/index.ts';
import { AgentDeskPanel } from './agent/agent-desk.tsx';
import { AuditViewerPanel } from './audit-viewer.tsx';
import { ChannelsPanel } from './channels/channels-panel.tsx';
import { CrmPanel } from './crm/crm-panel.tsx';
import { KnowledgePanel } from './knowledge/kb-panel.tsx';
import { QaPanel } from './qa/qa-panel.tsx';
import { ReportsPanel } from './reports/reports-panel.tsx';
import { RolesAdminPanel } from './roles-admin.tsx';
import { RoutingAdminPanel } from './routing/routing-admin.tsx';
import { SetupWizard } from './setup/wizard.tsx';
import { JoinHqPanel } from './sync/join-hq.tsx';
import { SyncPanel } from './sync/sync-panel.tsx';
import { TeamChatPanel } from './teamchat/teamchat-panel.tsx';
import { TicketAdminPanel } from './tickets/ticket-admin.tsx';
import { TicketsPanel } from './tickets/tickets-panel.tsx';
import { TopicsPanel } from './topics/topics-panel.tsx';
import { UsersAdminPanel } from './users-admin.tsx';
import { CallsPanel } from './voice/calls-panel.tsx';
import { FlowsPanel } from './voice/flows-panel.tsx';
import { PhonesPanel } from './voice/phones-panel.tsx';
import { WallboardPanel } from './wallboard/wallboard-panel.tsx';

/** A console page: its URL segment, who may open it, its nav label and component. */
export interface PanelEntry {
  route: string;
  /** Any one of these permissions opens the page. */
  permissions: readonly string[];
  label: MessageKey;
  component: ComponentType;
}

/** Every page of the console, in nav order. Add a page here (one entry). */
export const PANELS: readonly PanelEntry[] = [
  { route: 'setup', permissions: ['system.manage'], label: 'nav.setup', component: SetupWizard },
  { route: 'users', permissions: ['users.read'], label: 'nav.users', component: UsersAdminPanel },
  { route: 'roles', permissions: ['roles.manage'], label: 'nav.roles', component: RolesAdminPanel },
  { route: 'audit', permissions: ['audit.read'], label: 'nav.audit', component: AuditViewerPanel },
  {
    route: 'knowledge',
    permissions: ['contacts.handle', 'tickets.read', 'knowledge.write', 'knowledge.review'],
    label: 'nav.knowledge',
    component: KnowledgePanel,
  },
  {
    route: 'teamchat',
    permissions: ['contacts.handle', 'tickets.read', 'users.read', 'knowledge.write', 'system.manage'],
    label: 'nav.teamchat',
    component: TeamChatPanel,
  },
  { route: 'crm', permissions: ['customers.read'], label: 'nav.crm', component: CrmPanel },
  { route: 'agent', permissions: ['contacts.handle'], label: 'nav.agentDesk', component: AgentDeskPanel },
  { route: 'softphone', permissions: ['contacts.handle'], label: 'nav.softphone', component: SoftphonePanel },
  { route: 'routing', permissions: ['routing.manage'], label: 'nav.routing', component: RoutingAdminPanel },
  { route: 'tickets', permissions: ['tickets.read'], label: 'nav.tickets', component: TicketsPanel },
  {
    route: 'ticket-admin',
    permissions: ['system.manage'],
    label: 'nav.ticketAdmin',
    component: TicketAdminPanel,
  },
  { route: 'flows', permissions: ['system.manage'], label: 'nav.flows', component: FlowsPanel },
  { route: 'channels', permissions: ['system.manage'], label: 'nav.channels', component: ChannelsPanel },
  { route: 'phones', permissions: ['system.manage'], label: 'nav.phones', component: PhonesPanel },
  { route: 'sync', permissions: ['system.manage'], label: 'nav.sync', component: SyncPanel },
  { route: 'join-hq', permissions: ['system.manage'], label: 'nav.joinHq', component: JoinHqPanel },
  { route: 'voice', permissions: ['contacts.monitor'], label: 'nav.voice', component: CallsPanel },
  {
    route: 'wallboard',
    permissions: ['contacts.monitor'],
    label: 'nav.wallboard',
    component: WallboardPanel,
  },
  { route: 'reports', permissions: ['contacts.monitor'], label: 'nav.reports', component: ReportsPanel },
  { route: 'topics', permissions: ['contacts.monitor'], label: 'nav.topics', component: TopicsPanel },
  { route: 'qa', permissions: ['contacts.monitor'], label: 'nav.qa', component: QaPanel },
];
