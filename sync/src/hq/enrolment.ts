import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BranchCredential } from './branch-credentials.ts';
import type { HqKeys } from './hq-keys.ts';

/**
 * What the operator hands to a branch at enrolment: its replication
 * credentials and HQ's public keys to pin. The branch reads it from
 * `BRANCHLINE_HQ_CREDENTIALS_FILE`.
 */
export interface EnrolmentBundle {
  branch: string;
  username: string;
  password: string;
  /** base64url Ed25519: HQ's control/policy key (branch file `sync/hq-policy.pub` wins if present). */
  hqControlKey: string;
  /** base64url X25519: what `sealed` fields are sealed to (branch file `sync/hq-seal.pub` wins). */
  hqSealKey: string;
}

/** Writes `<dataDir>/enrolment/<branch>.json` (0600); returns its path. */
export function writeEnrolmentBundle(dataDir: string, cred: BranchCredential, keys: HqKeys): string {
  const dir = path.join(dataDir, 'enrolment');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${cred.username}.json`);
  const bundle: EnrolmentBundle = {
    branch: cred.username,
    username: cred.username,
    password: cred.password,
    hqControlKey: keys.control.publicKey,
    hqSealKey: keys.seal.publicKey,
  };
  writeFileSync(file, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
  return file;
}
