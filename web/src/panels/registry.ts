import type { ComponentType } from 'preact';
import type { MessageKey } from '../i18n/index.ts';
import { AuditViewerPanel } from './audit-viewer.tsx';
import { RolesAdminPanel } from './roles-admin.tsx';
import { UsersAdminPanel } from './users-admin.tsx';

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
  { route: 'users', permissions: ['users.read'], label: 'nav.users', component: UsersAdminPanel },
  { route: 'roles', permissions: ['roles.manage'], label: 'nav.roles', component: RolesAdminPanel },
  { route: 'audit', permissions: ['audit.read'], label: 'nav.audit', component: AuditViewerPanel },
];
