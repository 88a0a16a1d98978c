/** A directory group whose members get a role here (served by /api/directory/mappings). */
export interface GroupMapping {
  id: string;
  groupDn: string;
  role: string;
  createdAt: string;
  createdBy: string;
}

/** Directory sign-in state (GET /api/directory/status). */
export interface DirectoryStatus {
  configured: boolean;
  url?: string;
  /** null until the directory was first asked. */
  reachable: boolean | null;
  fault?: string;
  lastSyncAt?: string;
  syncSeconds?: number;
  /** Directory accounts provisioned here (any status). */
  users: number;
}
