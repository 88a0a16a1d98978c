import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface SnapshotEntry {
  /** Relative to the data dir, with '/' separators. */
  rel: string;
  abs: string;
}

/**
 * LevelDB's .ldb/.sst tables never change once written, while MANIFEST, CURRENT and
 * the .log name or extend them; copying tables first and those last gives a
 * snapshot that opens even if the store was written meanwhile. CURRENT goes very last.
 */
function rank(name: string): number {
  if (name.endsWith('.ldb') || name.endsWith('.sst')) return 0;
  if (name === 'CURRENT') return 3;
  if (name.startsWith('MANIFEST-')) return 2;
  return 1;
}

function skipped(rel: string, entry: Dirent, excludeTop: ReadonlySet<string>): boolean {
  if (entry.name === 'LOCK') return true;
  if (!rel.includes('/') && excludeTop.has(entry.name)) return true;
  return entry.name.endsWith('.partial') || entry.name.includes('.restore-');
}

/** Regular files under `root`, depth first, in the order a consistent copy needs; symlinks are skipped. */
export async function listSnapshot(root: string, excludeTop: ReadonlySet<string>): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (skipped(rel, entry, excludeTop)) continue;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(abs, rel);
      else if (entry.isFile()) out.push({ rel, abs });
    }
  }
  await walk(root, '');
  return out;
}
