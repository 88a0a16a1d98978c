import type { DirectoryStatus, GroupMapping } from '../../../appliance/src/contracts/index.ts';
import type { ApiClient } from './api.ts';

export type { DirectoryStatus, GroupMapping };

export async function fetchMappings(api: ApiClient): Promise<GroupMapping[]> {
  return (await api.get<{ mappings: GroupMapping[] }>('/api/directory/mappings')).mappings;
}

export const fetchDirectoryStatus = (api: ApiClient): Promise<DirectoryStatus> =>
  api.get('/api/directory/status');

export const addMapping = (api: ApiClient, m: { groupDn: string; role: string }): Promise<GroupMapping> =>
  api.post('/api/directory/mappings', m);

export const deleteMapping = (api: ApiClient, id: string): Promise<void> =>
  api.delete(`/api/directory/mappings/${encodeURIComponent(id)}`);
