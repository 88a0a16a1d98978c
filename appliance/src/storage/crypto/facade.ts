import { StorageError } from '../errors.ts';
import { BlindIndexer } from './blind-index.ts';
import { envelopeTag, formatEnvelope, parseEnvelope } from './envelope.ts';
import { KeyRing } from './keyring.ts';
import { type CryptoSuite, type CryptoSuiteName, classicSuite, gmSuite, suiteByName } from './suite.ts';

/** Where a value lives; bound into the ciphertext so it cannot be moved. */
export interface FieldContext {
  db: string;
  docId: string;
  field: string;
}

/** The envelope's suite tag leads the associated data, so an envelope cannot be relabelled to another suite. */
function aad(tag: string, ctx: FieldContext, keyId: string): string {
  return JSON.stringify([tag, ctx.db, ctx.docId, ctx.field, keyId]);
}

/** Something holding envelopes that a suite migration rewrites; every EncryptedDocStore registers itself. */
export interface Reencryptable {
  readonly name: string;
  reencrypt(): Promise<{ rewritten: number; skipped: number }>;
}

export interface SuiteMigration {
  suite: CryptoSuiteName;
  /** Documents rewritten under the new suite, over every registered store. */
  rewritten: number;
  /** Documents left as they were (key shredded, or updated meanwhile and so already re-sealed). */
  skipped: number;
  stores: number;
}

function failed(ctx: FieldContext, why: string): StorageError {
  return new StorageError(
    'STORAGE_DECRYPT_FAILED',
    `Cannot decrypt field [db:${ctx.db}, id:${ctx.docId}, field:${ctx.field}]: ${why}`,
    { status: 500 },
  );
}

/**
 * Field encryption over a KeyRing with associated data (db, docId, field,
 * keyId) under the key ring's CryptoSuite (classic XChaCha20-Poly1305 or gm
 * SM4-CTR+HMAC-SM3), plus blind indexes, rotation, suite migration and shredding.
 */
export class CryptoFacade {
  readonly keys: KeyRing;
  #index: BlindIndexer;
  #byTag: Record<'v1' | 'g1', CryptoSuite>;
  #holders = new Set<Reencryptable>();

  constructor(keys: KeyRing) {
    this.keys = keys;
    this.#byTag = { v1: classicSuite(keys.sodium), g1: gmSuite };
    this.#index = new BlindIndexer(suiteByName(keys.sodium, keys.indexSuite), keys.indexKey);
  }

  /** The suite new envelopes are sealed with (and the audit chain's hash). */
  get suite(): CryptoSuite {
    return this.keys.suite === 'gm' ? this.#byTag.g1 : this.#byTag.v1;
  }

  /** True when `envelope` was sealed under a suite other than the current one (a migration re-encrypts it). */
  isStale(envelope: string): boolean {
    const tag = envelopeTag(envelope);
    return tag !== undefined && tag !== this.suite.envelopeTag;
  }

  async encrypt(value: string, keyId: string, ctx: FieldContext): Promise<string> {
    if (typeof value !== 'string') throw new TypeError('Only strings can be encrypted');
    const key = await this.keys.ensure(keyId);
    const suite = this.suite;
    const tag = suite.envelopeTag;
    return formatEnvelope(tag, keyId, suite.seal(key, Buffer.from(value, 'utf8'), aad(tag, ctx, keyId)));
  }

  /** Rejects with STORAGE_DECRYPT_FAILED on any mismatch, or STORAGE_KEY_SHREDDED if its key was shredded. */
  async decrypt(envelope: string, ctx: FieldContext): Promise<string> {
    const parsed = parseEnvelope(envelope);
    if (!parsed) throw failed(ctx, 'not an envelope');
    const key = this.keys.find(parsed.keyId);
    if (!key) {
      if (this.keys.isShredded(parsed.keyId)) {
        throw new StorageError('STORAGE_KEY_SHREDDED', `Key was shredded [keyId:${parsed.keyId}]`, {
          status: 410,
        });
      }
      throw failed(ctx, 'unknown key');
    }
    const suite = this.#byTag[parsed.tag];
    const plain = suite.open(key, parsed.sealed, aad(parsed.tag, ctx, parsed.keyId));
    if (!plain) throw failed(ctx, 'authentication failed');
    return Buffer.from(plain).toString('utf8');
  }

  blindIndex(kind: string, value: string): string {
    void this.keys.indexKey; // throws InvalidStateError once closed
    return this.#index.token(kind, value);
  }

  rotate(): Promise<number> {
    return this.keys.rotate();
  }

  /**
   * Step one of an online suite migration: new envelopes are sealed under
   * `suite` from now on; existing ones still open by their tag until
   * EncryptedDocStore.reencrypt() has rewritten them. Blind indexes keep the
   * suite chosen at first start (their tokens are stored in documents).
   */
  setSuite(suite: CryptoSuiteName): Promise<void> {
    return this.keys.setSuite(suite);
  }

  /** Registers a store for suite migrations; returns its unregister function. */
  register(holder: Reencryptable): () => void {
    this.#holders.add(holder);
    return () => this.#holders.delete(holder);
  }

  /**
   * Online suite migration: new envelopes (and new audit records) use `suite`
   * at once, then every registered store re-encrypts its old envelopes.
   * Safe to run again after an interruption; a second run rewrites nothing.
   */
  async migrateSuite(suite: CryptoSuiteName): Promise<SuiteMigration> {
    await this.setSuite(suite);
    let rewritten = 0;
    let skipped = 0;
    const holders = [...this.#holders];
    for (const h of holders) {
      const r = await h.reencrypt();
      rewritten += r.rewritten;
      skipped += r.skipped;
    }
    return { suite, rewritten, skipped, stores: holders.length };
  }

  shred(keyId: string): Promise<boolean> {
    return this.keys.shred(keyId);
  }

  close(): void {
    this.keys.close();
  }
}

/**
 * Opens the keyring under `<dataDir>/keys` and returns the facade over it.
 * @example
 * const crypto = await openCrypto('/var/lib/branchline');
 */
export async function openCrypto(
  dataDir: string,
  options: { suite?: CryptoSuiteName | undefined } = {},
): Promise<CryptoFacade> {
  return new CryptoFacade(await KeyRing.open(dataDir, options));
}
