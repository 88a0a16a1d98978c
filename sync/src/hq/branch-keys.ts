import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PouchDb } from '../pouch.ts';

export interface PinnedKey {
  /** The base64 Ed25519 public key the branch's audit log is verified against. */
  key: string;
  /** 'first-use' when HQ took it from the branch's signed head; 'file' for an operator's entry. */
  source: 'file' | 'first-use';
  /** When the branch's head publishes a different key than the pinned one. */
  mismatch?: string;
}

/**
 * The branches' audit keys at HQ, in `<dataDir>/branch-keys.json` (branch →
 * key). An operator may write an entry before the branch first connects;
 * otherwise HQ pins, on first use, the key the branch publishes in its signed
 * head (`meta:head.publicKey`, signed by that key). A later head with another
 * key is never re-pinned: it is reported as a witness problem.
 */
export class BranchKeys {
  readonly #file: string;
  readonly #log: (line: string) => void;

  constructor(dataDir: string, log: (line: string) => void) {
    this.#file = path.join(dataDir, 'branch-keys.json');
    this.#log = log;
  }

  #read(): Record<string, string | { key: string; pinnedAt: string }> {
    if (!existsSync(this.#file)) return {};
    return JSON.parse(readFileSync(this.#file, 'utf8')) as Record<string, string>;
  }

  /** The pinned key, without pinning anything. */
  pinned(branch: string): string | undefined {
    const e = this.#read()[branch];
    return typeof e === 'string' ? e : e?.key;
  }

  /** The pinned key for `branch`, pinning the one its replicated head publishes if none is pinned yet. */
  async resolve(branch: string, audit: PouchDb): Promise<PinnedKey | undefined> {
    const head = await audit.get('meta:head').catch(() => undefined);
    const published = typeof head?.['publicKey'] === 'string' ? head['publicKey'] : undefined;
    const all = this.#read();
    const entry = all[branch];
    if (entry !== undefined) {
      const key = typeof entry === 'string' ? entry : entry.key;
      return {
        key,
        source: typeof entry === 'string' ? 'file' : 'first-use',
        ...(published && published !== key ? { mismatch: published } : {}),
      };
    }
    if (!published) return undefined;
    all[branch] = { key: published, pinnedAt: new Date().toISOString() };
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#file);
    this.#log(`audit key pinned on first use [branch:${branch}]`);
    return { key: published, source: 'first-use' };
  }
}
