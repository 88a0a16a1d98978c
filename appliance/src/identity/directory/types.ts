/** A directory group whose members get a role here (`dirmap:<id>` in the identity store). */
export interface GroupMappingDoc {
  type: 'directory_mapping';
  id: string;
  /** As entered. */
  groupDn: string;
  role: string;
  createdAt: string;
  createdBy: string;
}

export type { DirectoryStatus, GroupMapping } from '../../contracts/index.ts';

/** Why a directory account was frozen at the branch. */
export type RevokeWhy = 'disabled' | 'removed' | 'unmapped';

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    'directory.mapping_added': { mappingId: string; groupDn: string; role: string };
    'directory.mapping_removed': { mappingId: string; groupDn: string; role: string };
    'directory.user_provisioned': { userId: string; username: string; dn: string; roles: string[] };
    'directory.user_revoked': { userId: string; username: string; dn: string; why: RevokeWhy };
    'auth.break_glass': { userId: string; username: string; reason: 'directory_unreachable' };
  }
}
