import { InvalidStateError } from '../contracts/index.ts';
import { type EventBus, SupervisedLoop } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { ChangesResult, DocStore, StoredDoc } from '../storage/index.ts';
import type { HashAlg } from './canonical.ts';
import { assertInput } from './chain.ts';
import { ChainWriter } from './chain-writer.ts';
import { AuditError } from './errors.ts';
import { toCsv, toJsonl } from './export-format.ts';
import { SETTINGS_ID } from './ids.ts';
import { searchRecords } from './search.ts';
import { applySettingsPatch, DEFAULT_SETTINGS } from './settings.ts';
import type {
  AuditInput,
  AuditPrincipal,
  AuditQuery,
  AuditRecord,
  AuditSettings,
  AuditSigner,
  Checkpoint,
  SearchResult,
  VerifyReport,
} from './types.ts';
import { verifyAuditStore } from './verify.ts';

const log = createLogger('audit');
const MAX_PAGE = 1000;

export interface AuditLogOptions {
  signer: AuditSigner;
  /** Injectable clock (tests). */
  now?: () => Date;
  /** Where `audit.settings_changed` and `audit.checkpoint_signed` are published. */
  bus?: EventBus;
  /** Timer checkpoint period; 0 disables the timer. Default 5 minutes. */
  checkpointIntervalMs?: number;
  /**
   * Hash algorithm of new records, read at each write: the crypto suite's
   * (`sm3` under gm). After a suite migration the chain switches at the next
   * record, which carries `alg`, and still verifies end to end. Default SHA-256.
   */
  hashAlg?: () => HashAlg;
}

/**
 * The append-only, hash-chained audit log over one DocStore. Appends are
 * serialised (one chain, no forks) and group-committed: appends that arrive
 * while a write is in flight share the next durable `bulkPut`, together with
 * the signed head marker and, every `checkpointEvery` records, a checkpoint.
 */
export class AuditLog {
  readonly #store: DocStore;
  readonly #signer: AuditSigner;
  readonly #now: () => Date;
  readonly #bus: EventBus | undefined;
  readonly #writer: ChainWriter;
  #settings: AuditSettings = { ...DEFAULT_SETTINGS };
  #settingsRev: string | undefined;
  #checkpoints: SupervisedLoop | undefined;
  #closed: Promise<void> | undefined;

  private constructor(store: DocStore, options: AuditLogOptions) {
    this.#store = store;
    this.#signer = options.signer;
    this.#now = options.now ?? (() => new Date());
    this.#bus = options.bus;
    this.#writer = new ChainWriter(store, {
      signer: this.#signer,
      now: this.#now,
      bus: this.#bus,
      checkpointEvery: () => this.#settings.checkpointEvery,
      hashAlg: options.hashAlg ?? (() => 'sha256'),
    });
  }

  /** Opens the log: loads settings and the head (rebuilding it from the records if it disagrees). */
  static async open(store: DocStore, options: AuditLogOptions): Promise<AuditLog> {
    const audit = new AuditLog(store, options);
    const settings = await store.get<AuditSettings>(SETTINGS_ID);
    if (settings) {
      const { _id, _rev, ...rest } = settings;
      audit.#settings = applySettingsPatch({ ...DEFAULT_SETTINGS }, rest);
      audit.#settingsRev = _rev;
    }
    const mismatch = await audit.#writer.load();
    const every = options.checkpointIntervalMs ?? 5 * 60_000;
    if (every > 0) {
      audit.#checkpoints = new SupervisedLoop(
        'audit.checkpoint',
        async () => void (await audit.checkpoint()),
        {
          everyMs: every,
          ...(options.bus ? { bus: options.bus } : {}),
          log,
        },
      ).start();
    }
    if (mismatch) {
      await audit.append({
        actor: 'system',
        action: 'audit.head_recovered',
        outcome: 'failure',
        details: mismatch,
      });
    }
    return audit;
  }

  /** Base64 Ed25519 public key that signs checkpoints and the head (give it to HQ as witness). */
  get publicKey(): string {
    return this.#signer.publicKey;
  }

  get lastSeq(): number {
    return this.#writer.lastSeq;
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Audit log is closed');
  }

  /**
   * Appends one record; resolves after it is durably stored.
   * @throws TypeError on malformed input, AuditError AUDIT_WRITE_FAILED when the store fails.
   */
  append(input: AuditInput): Promise<AuditRecord> {
    this.#assertOpen();
    assertInput(input);
    return this.#writer.append(input);
  }

  /** Signs a checkpoint over everything appended so far; undefined when nothing is new since the last one. */
  checkpoint(): Promise<Checkpoint | undefined> {
    this.#assertOpen();
    return this.#writer.checkpoint();
  }

  /** Verifies the whole stored log against this appliance's public key. */
  async verify(): Promise<VerifyReport> {
    this.#assertOpen();
    return verifyAuditStore(this.#store, { publicKey: this.#signer.publicKey, live: true });
  }

  search(query: AuditQuery = {}): Promise<SearchResult> {
    this.#assertOpen();
    const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_PAGE);
    return searchRecords(this.#store, query, limit);
  }

  /**
   * Raw store changes (records `rec:`, signed checkpoints `ckpt:`, the signed
   * head `meta:head`, settings) in write order, for shipping the log verbatim
   * to a witness. Read-only: pair with getDoc().
   */
  changes(options: { since?: number | string; limit?: number } = {}): Promise<ChangesResult> {
    this.#assertOpen();
    const limit = Math.min(Math.max(options.limit ?? 500, 1), MAX_PAGE);
    return this.#store.changes({ ...(options.since === undefined ? {} : { since: options.since }), limit });
  }

  /** One raw stored document (record, checkpoint, head) by id, or undefined. */
  getDoc<T extends object = Record<string, unknown>>(id: string): Promise<StoredDoc<T> | undefined> {
    this.#assertOpen();
    return this.#store.get<T>(id);
  }

  async #exportRows(query: AuditQuery, maxRows: number | undefined): Promise<AuditRecord[]> {
    this.#assertOpen();
    const cap = maxRows ?? this.#settings.exportMaxRows;
    // Ask for one row more than allowed so "too many" is known without counting everything.
    const limit = query.limit !== undefined && query.limit <= cap ? query.limit : cap + 1;
    const { records } = await searchRecords(this.#store, query, limit);
    if (records.length > cap) {
      throw new AuditError('AUDIT_EXPORT_TOO_LARGE', `Export exceeds ${cap} rows; narrow the query`, {
        status: 422,
        details: { maxRows: cap },
      });
    }
    return records;
  }

  /** Matching records as JSON lines; more than `exportMaxRows` → AUDIT_EXPORT_TOO_LARGE. */
  async exportJsonl(query: AuditQuery = {}, options: { maxRows?: number } = {}): Promise<string> {
    return toJsonl(await this.#exportRows(query, options.maxRows));
  }

  /** Matching records as RFC 4180 CSV with formula-injection guarding. */
  async exportCsv(query: AuditQuery = {}, options: { maxRows?: number } = {}): Promise<string> {
    return toCsv(await this.#exportRows(query, options.maxRows));
  }

  getSettings(): AuditSettings {
    return { ...this.#settings };
  }

  /**
   * Changes audit settings. Only a principal holding `audit.settings` may; a
   * refusal is itself recorded (`denied`) before AUDIT_FORBIDDEN is thrown.
   */
  async updateSettings(
    patch: Partial<AuditSettings>,
    principal: AuditPrincipal,
    options: { source?: string } = {},
  ): Promise<AuditSettings> {
    this.#assertOpen();
    const base = {
      actor: principal.userId,
      action: 'audit.settings_changed',
      target: 'audit:settings',
      ...options,
    };
    const fields = Object.keys(patch);
    if (!principal.permissions.has('audit.settings')) {
      await this.append({ ...base, outcome: 'denied', details: { fields } });
      throw new AuditError('AUDIT_FORBIDDEN', 'Changing audit settings needs permission audit.settings', {
        status: 403,
      });
    }
    const before = this.#settings;
    const after = applySettingsPatch(before, patch);
    const res = await this.#store.put({
      _id: SETTINGS_ID,
      ...after,
      ...(this.#settingsRev === undefined ? {} : { _rev: this.#settingsRev }),
    });
    this.#settingsRev = res.rev;
    this.#settings = after;
    await this.append({
      ...base,
      outcome: 'success',
      details: { fields, before: { ...before }, after: { ...after } },
    });
    await this.#bus?.publish('audit.settings_changed', { fields }, { actor: principal.userId, ...options });
    return { ...after };
  }

  /** Stops the timer and waits for queued appends; does not close the store (its owner does). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#checkpoints?.close();
      await this.#writer.drain();
    })();
    return this.#closed;
  }
}

/**
 * Opens the audit log over its store.
 * @example
 * const audit = await createAuditLog(store, { signer: await loadOrCreateSigningKey(dataDir) });
 */
export function createAuditLog(store: DocStore, options: AuditLogOptions): Promise<AuditLog> {
  return AuditLog.open(store, options);
}
