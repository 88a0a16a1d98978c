import QRCode from 'qrcode';
import { caFingerprint, issueJoinBundle } from '../join-bundle.ts';
import {
  assertPolicy,
  DATA_CLASSES,
  type DataClass,
  defaultPolicy,
  type FieldRule,
  type SignedPolicy,
  signPolicy,
} from '../policy.ts';
import type { HqCouch } from './couch.ts';
import { HqError } from './errors.ts';
import type { HqKeys } from './hq-keys.ts';
import type { IssuedPolicy } from './policy-log.ts';

/** Where branches reach HQ's replication port, as written into their join bundles. */
export interface HqLink {
  /** The replication URL a branch uses (no credentials in it). */
  hqUrl: string;
  /** HQ's CA certificate (PEM) when that URL is HTTPS. */
  caPem?: string;
}

export interface IssuedBundle {
  branch: string;
  name: string;
  /** The one-time bundle text (`BLHQ1-…`); HQ keeps only the credential's hash. */
  text: string;
  /** The same text as a QR code (SVG), or undefined when it is too long for one. */
  qrSvg: string | undefined;
  caFingerprint?: string;
  policyVersion: number;
  /** True when the branch had credentials already: the old ones stopped working. */
  rotated: boolean;
}

/** What the enrolment needs from the console: HQ's keys, the branch's databases, the policy log. */
export interface EnrolmentDeps {
  keys(): Promise<HqKeys>;
  /** Creates the branch's databases with HQ's rules (enrolBranch). */
  prepare(branch: string): Promise<void>;
  issuePolicy(branch: string, signed: SignedPolicy, by: string): Promise<IssuedPolicy>;
}

const BRANCH_ID = /^[A-Za-z0-9_]{1,32}$/;
const RULES: readonly FieldRule[] = ['plain', 'token', 'sealed', 'withheld'];

/**
 * "Add branch" at HQ: prepares the branch's databases, issues (or rotates)
 * its credentials and hands back a one-time, HQ-signed join bundle; and the
 * minimal policy editor: one field's rule changed → a new signed version.
 */
export class BranchEnrolment {
  readonly #couch: HqCouch;
  readonly #link: HqLink;
  readonly #deps: EnrolmentDeps;

  constructor(couch: HqCouch, link: HqLink | undefined, deps: EnrolmentDeps) {
    this.#couch = couch;
    this.#link = link ?? { hqUrl: couch.url };
    this.#deps = deps;
  }

  /** The newest policy HQ issued to `branch`, if any. */
  async currentPolicy(branch: string): Promise<SignedPolicy | undefined> {
    const res = await this.#couch.db('hq-policy-log').allDocs({
      include_docs: true,
      startkey: `policy:${branch}:\ufff0`,
      endkey: `policy:${branch}:`,
      descending: true,
      limit: 1,
    });
    return res.rows[0]?.doc?.['signed'] as SignedPolicy | undefined;
  }

  async add(input: { branch: string; name: string }, operator: string): Promise<IssuedBundle> {
    const { branch, name } = input;
    if (!BRANCH_ID.test(branch))
      throw new HqError('HQ_BAD_REQUEST', 'Branch id: 1-32 letters, digits or _', {
        details: { field: 'branch' },
      });
    const rotated = this.#couch.credentials.has(branch);
    // Issuing replaces any earlier credential: a bundle shown before stops working.
    // (Before prepare(), so the env-var enrolment file is not written for this branch.)
    const cred = this.#couch.credentials.issue(branch);
    await this.#deps.prepare(branch);
    const keys = await this.#deps.keys();
    let signed = await this.currentPolicy(branch);
    if (!signed) {
      signed = signPolicy(defaultPolicy(), keys.control);
      await this.#deps.issuePolicy(branch, signed, operator);
    }
    const fingerprint = this.#link.caPem ? caFingerprint(this.#link.caPem) : undefined;
    const text = issueJoinBundle(
      {
        branch,
        name,
        hqUrl: this.#link.hqUrl,
        ...(this.#link.caPem && fingerprint ? { caPem: this.#link.caPem, caFingerprint: fingerprint } : {}),
        username: cred.username,
        password: cred.password,
        hqControlKey: keys.control.publicKey,
        hqSealKey: keys.seal.publicKey,
        policy: signed,
        issuedAt: new Date().toISOString(),
      },
      keys.control,
    );
    // Byte mode, low error correction: about 2.9 kB fit; a longer bundle is copied or downloaded.
    const qrSvg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }).catch(
      () => undefined,
    );
    return {
      branch,
      name,
      text,
      qrSvg,
      ...(fingerprint ? { caFingerprint: fingerprint } : {}),
      policyVersion: signed.policy.version,
      rotated,
    };
  }

  /** Sets one field's rule in the branch's policy and issues it, signed, as the next version. */
  async changeRule(
    branch: string,
    change: { cls: string; field: string; rule: string },
    operator: string,
  ): Promise<IssuedPolicy> {
    if (!(DATA_CLASSES as readonly string[]).includes(change.cls))
      throw new HqError('HQ_BAD_REQUEST', `Unknown data class: ${change.cls}`, { details: { field: 'cls' } });
    if (!(RULES as readonly string[]).includes(change.rule))
      throw new HqError('HQ_BAD_REQUEST', `Unknown rule: ${change.rule}`, { details: { field: 'rule' } });
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(change.field))
      throw new HqError('HQ_BAD_REQUEST', 'Field: a letter, then letters, digits or _', {
        details: { field: 'field' },
      });
    if (!this.#couch.credentials.has(branch))
      throw new HqError('HQ_NOT_FOUND', `Branch ${branch} is not enrolled`, { status: 404 });
    // A branch enrolled by BRANCHLINE_HQ_BRANCHES was never issued one: it runs the built-in v1.
    const base = (await this.currentPolicy(branch))?.policy ?? defaultPolicy();
    const cls = change.cls as DataClass;
    const policy = structuredClone(base);
    const fields = { ...(policy.classes[cls]?.fields ?? {}), [change.field]: change.rule as FieldRule };
    policy.classes[cls] = { fields };
    policy.version = base.version + 1;
    policy.issuedAt = new Date().toISOString();
    assertPolicy(policy);
    return this.#deps.issuePolicy(branch, signPolicy(policy, (await this.#deps.keys()).control), operator);
  }
}
