import type { ApiClient } from './api.ts';

/** A directory group whose members get a role (identity `DirectoryGroupMapping`). */
export interface GroupMapping {
  id: string;
  groupDn: string;
  role: string;
  createdAt: string;
  createdBy: string;
}

/** Directory sign-in state (identity `DirectoryStatus`). */
export interface DirectoryStatus {
  configured: boolean;
  url?: string;
  reachable: boolean | null;
  fault?: string;
  lastSyncAt?: string;
  syncSeconds?: number;
  users: number;
}

export async function fetchMappings(api: ApiClient): Promise<GroupMapping[]> {
  return (await api.get<{ mappings: GroupMapping[] }>('/api/directory/mappings')).mappings;
}

export const fetchDirectoryStatus = (api: ApiClient): Promise<DirectoryStatus> =>
  api.get('/api/directory/status');

export const addMapping = (api: ApiClient, m: { groupDn: string; role: string }): Promise<GroupMapping> =>
  api.post('/api/directory/mappings', m);

export const deleteMapping = (api: ApiClient, id: string): Promise<void> =>
  api.delete(`/api/directory/mappings/${encodeURIComponent(id)}`);
