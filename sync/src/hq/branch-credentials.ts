import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a branch uses on HQ's replication port: HTTP basic, username = branch id. */
export interface BranchCredential {
  username: string;
  password: string;
}

interface Stored {
  /** SHA-256 of the password (a 256-bit random secret: a slow hash adds nothing). */
  sha256: string;
  issuedAt: string;
}

const BRANCH_ID = /^[A-Za-z0-9_-]+$/;

/**
 * Per-branch replication credentials, issued by HQ at enrolment and kept only
 * hashed (`<dataDir>/branch-credentials.json`, 0600). The password is returned
 * once, to be handed to the branch (its HQ URL userinfo or credentials file).
 */
export class BranchCredentials {
  readonly #file: string;
  #byBranch: Record<string, Stored>;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'branch-credentials.json');
    this.#byBranch = existsSync(this.#file)
      ? (JSON.parse(readFileSync(this.#file, 'utf8')) as Record<string, Stored>)
      : {};
  }

  has(branch: string): boolean {
    return Object.hasOwn(this.#byBranch, branch);
  }

  /** Issues (or replaces) a branch's credential; the old one stops working at once. */
  issue(branch: string): BranchCredential {
    if (!BRANCH_ID.test(branch)) throw new RangeError(`Invalid branch id: ${JSON.stringify(branch)}`);
    const password = randomBytes(32).toString('base64url');
    this.#byBranch = {
      ...this.#byBranch,
      [branch]: { sha256: digest(password), issuedAt: new Date().toISOString() },
    };
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#byBranch, null, 2), { mode: 0o600 });
    renameSync(tmp, this.#file);
    return { username: branch, password };
  }

  /** The branch a username/password pair authenticates, or undefined. */
  check(username: string, password: string): string | undefined {
    const stored = Object.hasOwn(this.#byBranch, username) ? this.#byBranch[username] : undefined;
    if (!stored) return undefined;
    const a = Buffer.from(stored.sha256, 'hex');
    const b = Buffer.from(digest(password), 'hex');
    return timingSafeEqual(a, b) ? username : undefined;
  }
}

function digest(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}
