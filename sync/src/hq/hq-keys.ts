import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePolicyKey, type PolicyKeyPair } from '../policy.ts';
import { generateHqSealKey, type HqSealKeyPair } from '../seal.ts';

/** HQ's own keys: it signs control documents and policies, and opens fields branches sealed to it. */
export interface HqKeys {
  /** Ed25519: signs policies and control docs (freezes); branches pin `control.publicKey`. */
  control: PolicyKeyPair;
  /** X25519: branches seal `sealed` fields to `seal.publicKey`; only HQ opens them. */
  seal: HqSealKeyPair;
}

/** What a branch pins at enrolment (`<hqDataDir>/hq-public-keys.json`). */
export interface HqPublicKeys {
  control: string;
  seal: string;
}

/**
 * Loads HQ's keys from `<dataDir>/keys/hq-keys.json` (0600), creating them on
 * first run, and (re)writes the public half to `<dataDir>/hq-public-keys.json`.
 */
export async function loadHqKeys(dataDir: string): Promise<HqKeys> {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'hq-keys.json');
  let keys: HqKeys;
  if (existsSync(file)) keys = JSON.parse(readFileSync(file, 'utf8')) as HqKeys;
  else {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    keys = { control: generatePolicyKey(), seal: await generateHqSealKey() };
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  }
  const pub: HqPublicKeys = { control: keys.control.publicKey, seal: keys.seal.publicKey };
  writeFileSync(path.join(dataDir, 'hq-public-keys.json'), `${JSON.stringify(pub, null, 2)}\n`);
  return keys;
}
