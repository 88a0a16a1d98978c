import type { SignedPolicy } from '../policy.ts';
import type { PouchDb } from '../pouch.ts';

export interface IssuedPolicy {
  branch: string;
  version: number;
  issuedAt: string;
  issuedBy: string;
  /** The data classes the policy covers (the signed policy itself is kept in the log doc). */
  classes: string[];
}

/**
 * HQ's append-only record of the residency policies it issued: one document
 * per branch and version (`policy:<branch>:<version>`), created once and never
 * updated, so issuing the same version twice fails instead of rewriting history.
 */
export class PolicyLog {
  readonly #db: PouchDb;

  constructor(db: PouchDb) {
    this.#db = db;
  }

  async append(branch: string, signed: SignedPolicy, issuedBy: string): Promise<IssuedPolicy> {
    const version = signed.policy.version;
    const entry: IssuedPolicy = {
      branch,
      version,
      issuedAt: new Date().toISOString(),
      issuedBy,
      classes: Object.keys(signed.policy.classes ?? {}),
    };
    try {
      await this.#db.put({ _id: `policy:${branch}:${String(version).padStart(10, '0')}`, ...entry, signed });
    } catch (err) {
      if ((err as { status?: number }).status === 409)
        throw new Error(`policy version ${version} was already issued to ${branch}`);
      throw err;
    }
    return entry;
  }

  /** Every issued policy, oldest first per branch. */
  async list(): Promise<IssuedPolicy[]> {
    const res = await this.#db.allDocs({ include_docs: true, startkey: 'policy:', endkey: 'policy:\ufff0' });
    return res.rows.flatMap((r) => {
      const d = r.doc;
      if (!d) return [];
      return [
        {
          branch: String(d['branch']),
          version: Number(d['version']),
          issuedAt: String(d['issuedAt']),
          issuedBy: String(d['issuedBy']),
          classes: (d['classes'] as string[] | undefined) ?? [],
        },
      ];
    });
  }
}
