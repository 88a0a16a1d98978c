import type { ComponentType } from 'preact';
import { lazyPanel } from '../components/lazy-panel.tsx';
import type { MessageKey } from '../i18n/index.ts';

/** A console page: its URL segment, who may open it, its nav label and component. */
export interface PanelEntry {
  route: string;
  /** Any one of these permissions opens the page. */
  permissions: readonly string[];
  label: MessageKey;
  component: ComponentType;
}

/**
 * Every page of the console, in nav order. Add a page here (one entry). Components are
 * lazy (one chunk per page): a static import here would put the page in every first load.
 */
export const PANELS: readonly PanelEntry[] = [
  {
    route: 'setup',
    permissions: ['system.manage'],
    label: 'nav.setup',
    component: lazyPanel(() => import('./setup/wizard.tsx').then((m) => m.SetupWizard)),
  },
  {
    route: 'users',
    permissions: ['users.read'],
    label: 'nav.users',
    component: lazyPanel(() => import('./users-admin.tsx').then((m) => m.UsersAdminPanel)),
  },
  {
    route: 'roles',
    permissions: ['roles.manage'],
    label: 'nav.roles',
    component: lazyPanel(() => import('./roles-admin.tsx').then((m) => m.RolesAdminPanel)),
  },
  {
    route: 'directory',
    permissions: ['users.manage'],
    label: 'nav.directory',
    component: lazyPanel(() => import('./directory-admin.tsx').then((m) => m.DirectoryAdminPanel)),
  },
  {
    route: 'audit',
    permissions: ['audit.read'],
    label: 'nav.audit',
    component: lazyPanel(() => import('./audit-viewer.tsx').then((m) => m.AuditViewerPanel)),
  },
  {
    route: 'knowledge',
    permissions: ['contacts.handle', 'tickets.read', 'knowledge.write', 'knowledge.review'],
    label: 'nav.knowledge',
    component: lazyPanel(() => import('./knowledge/kb-panel.tsx').then((m) => m.KnowledgePanel)),
  },
  {
    route: 'teamchat',
    permissions: ['contacts.handle', 'tickets.read', 'users.read', 'knowledge.write', 'system.manage'],
    label: 'nav.teamchat',
    component: lazyPanel(() => import('./teamchat/teamchat-panel.tsx').then((m) => m.TeamChatPanel)),
  },
  {
    route: 'crm',
    permissions: ['customers.read'],
    label: 'nav.crm',
    component: lazyPanel(() => import('./crm/crm-panel.tsx').then((m) => m.CrmPanel)),
  },
  {
    route: 'agent',
    permissions: ['contacts.handle'],
    label: 'nav.agentDesk',
    component: lazyPanel(() => import('./agent/agent-desk.tsx').then((m) => m.AgentDeskPanel)),
  },
  {
    route: 'softphone',
    permissions: ['contacts.handle'],
    label: 'nav.softphone',
    component: lazyPanel(() => import('../softphone/index.ts').then((m) => m.SoftphonePanel)),
  },
  {
    route: 'routing',
    permissions: ['routing.manage'],
    label: 'nav.routing',
    component: lazyPanel(() => import('./routing/routing-admin.tsx').then((m) => m.RoutingAdminPanel)),
  },
  {
    route: 'tickets',
    permissions: ['tickets.read'],
    label: 'nav.tickets',
    component: lazyPanel(() => import('./tickets/tickets-panel.tsx').then((m) => m.TicketsPanel)),
  },
  {
    route: 'ticket-admin',
    permissions: ['system.manage'],
    label: 'nav.ticketAdmin',
    component: lazyPanel(() => import('./tickets/ticket-admin.tsx').then((m) => m.TicketAdminPanel)),
  },
  {
    route: 'flows',
    permissions: ['system.manage'],
    label: 'nav.flows',
    component: lazyPanel(() => import('./voice/flows-panel.tsx').then((m) => m.FlowsPanel)),
  },
  {
    route: 'channels',
    permissions: ['system.manage'],
    label: 'nav.channels',
    component: lazyPanel(() => import('./channels/channels-panel.tsx').then((m) => m.ChannelsPanel)),
  },
  {
    route: 'phones',
    permissions: ['system.manage'],
    label: 'nav.phones',
    component: lazyPanel(() => import('./voice/phones-panel.tsx').then((m) => m.PhonesPanel)),
  },
  {
    route: 'sync',
    permissions: ['system.manage'],
    label: 'nav.sync',
    component: lazyPanel(() => import('./sync/sync-panel.tsx').then((m) => m.SyncPanel)),
  },
  {
    route: 'join-hq',
    permissions: ['system.manage'],
    label: 'nav.joinHq',
    component: lazyPanel(() => import('./sync/join-hq.tsx').then((m) => m.JoinHqPanel)),
  },
  {
    route: 'voice',
    permissions: ['contacts.monitor'],
    label: 'nav.voice',
    component: lazyPanel(() => import('./voice/calls-panel.tsx').then((m) => m.CallsPanel)),
  },
  {
    route: 'wallboard',
    permissions: ['contacts.monitor'],
    label: 'nav.wallboard',
    component: lazyPanel(() => import('./wallboard/wallboard-panel.tsx').then((m) => m.WallboardPanel)),
  },
  {
    route: 'reports',
    permissions: ['contacts.monitor'],
    label: 'nav.reports',
    component: lazyPanel(() => import('./reports/reports-panel.tsx').then((m) => m.ReportsPanel)),
  },
  {
    route: 'topics',
    permissions: ['contacts.monitor'],
    label: 'nav.topics',
    component: lazyPanel(() => import('./topics/topics-panel.tsx').then((m) => m.TopicsPanel)),
  },
  {
    route: 'qa',
    permissions: ['contacts.monitor'],
    label: 'nav.qa',
    component: lazyPanel(() => import('./qa/qa-panel.tsx').then((m) => m.QaPanel)),
  },
];
