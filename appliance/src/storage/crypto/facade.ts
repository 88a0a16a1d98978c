import { StorageError } from '../errors.ts';
import { open, seal } from './aead.ts';
import { BlindIndexer } from './blind-index.ts';
import { formatEnvelope, parseEnvelope } from './envelope.ts';
import { KeyRing } from './keyring.ts';

/** Where a value lives; bound into the ciphertext so it cannot be moved. */
export interface FieldContext {
  db: string;
  docId: string;
  field: string;
}

function aad(ctx: FieldContext, keyId: string): string {
  return JSON.stringify(['v1', ctx.db, ctx.docId, ctx.field, keyId]);
}

function failed(ctx: FieldContext, why: string): StorageError {
  return new StorageError(
    'STORAGE_DECRYPT_FAILED',
    `Cannot decrypt field [db:${ctx.db}, id:${ctx.docId}, field:${ctx.field}]: ${why}`,
    { status: 500 },
  );
}

/**
 * Field encryption over a KeyRing: XChaCha20-Poly1305 with associated data
 * (db, docId, field, keyId), plus blind indexes, rotation and shredding.
 */
export class CryptoFacade {
  readonly keys: KeyRing;
  #index: BlindIndexer;

  constructor(keys: KeyRing) {
    this.keys = keys;
    this.#index = new BlindIndexer(keys.sodium, keys.indexKey);
  }

  async encrypt(value: string, keyId: string, ctx: FieldContext): Promise<string> {
    if (typeof value !== 'string') throw new TypeError('Only strings can be encrypted');
    const key = await this.keys.ensure(keyId);
    return formatEnvelope(keyId, seal(this.keys.sodium, key, Buffer.from(value, 'utf8'), aad(ctx, keyId)));
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
    const plain = open(this.keys.sodium, key, parsed.sealed, aad(ctx, parsed.keyId));
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
export async function openCrypto(dataDir: string): Promise<CryptoFacade> {
  return new CryptoFacade(await KeyRing.open(dataDir));
}
