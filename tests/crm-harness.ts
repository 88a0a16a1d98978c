// Shared setup for the CRM tests: the real core on disk (LevelDB, keyring, audit) with only the CRM module.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Core } from '../appliance/src/compose.ts';
import { loadConfig } from '../appliance/src/config/index.ts';
import type { CrmService } from '../appliance/src/crm/index.ts';
import { crmModule } from '../appliance/src/crm/index.ts';
import { openCoreOnDisk } from '../appliance/src/on-disk.ts';

export interface CrmHarness {
  core: Core;
  crm: CrmService;
  dir: string;
  actor: { userId: string };
  close(): Promise<void>;
}

export async function openCrmHarness(): Promise<CrmHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'branchline-crm-'));
  const config = loadConfig({ BRANCHLINE_DATA_DIR: dir, BRANCHLINE_LOG_LEVEL: 'error' });
  const core = await openCoreOnDisk(config, { health: async () => ({ status: 'ok' }), modules: [crmModule] });
  const crm = core.services.crm;
  if (!crm) throw new Error('crm module did not provide its service');
  let closed = false;
  return {
    core,
    crm,
    dir,
    actor: { userId: 'importer' },
    async close() {
      if (closed) return;
      closed = true;
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Counts documents whose id starts with prefix, straight from the CRM database. */
export async function countDocs(h: CrmHarness, prefix: string): Promise<number> {
  const store = h.core.stores.find((s) => s.name === 'crm');
  if (!store) throw new Error('no crm store');
  return (await store.list({ prefix })).length;
}
