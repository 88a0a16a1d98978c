import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';

export const OPERATOR_LOG_FILE = 'operator-log.jsonl';
/** The unchained log HQ wrote before the chain; kept as it is, its digest opens the chain. */
export const LEGACY_LOG_FILE = 'console-audit.jsonl';
const GENESIS = '0'.repeat(64);

/** One line of the operator log. `hash` = SHA-256 of `prev` and the canonical JSON of the other fields. */
export interface OperatorLogEntry {
  seq: number;
  at: string;
  action: string;
  actor: string;
  details: Record<string, unknown>;
  prev: string;
  hash: string;
}

export type OperatorLogVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** JSON with object keys sorted at every depth, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export function entryHash(e: Omit<OperatorLogEntry, 'hash'>): string {
  const { seq, at, action, actor, details, prev } = e;
  return createHash('sha256')
    .update(prev)
    .update(canonicalJson({ seq, at, action, actor, details }))
    .digest('hex');
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks the chain line by line: each parses, numbers run 1, 2, 3…, each
 * `prev` is the previous `hash`, and each `hash` matches its content. A
 * `log.chain_started` entry that names the legacy file's digest is checked
 * against that file when `legacy` is given. `brokenAt` is the first bad entry (1-based).
 */
export function verifyOperatorLog(text: string, legacy?: Buffer): OperatorLogVerdict {
  const lines = text.split('\n').filter((l) => l.length > 0);
  let prev = GENESIS;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    const broken = (reason: string): OperatorLogVerdict => ({
      ok: false,
      entries: lines.length,
      brokenAt: n,
      reason,
    });
    let e: OperatorLogEntry;
    try {
      e = JSON.parse(line) as OperatorLogEntry;
    } catch {
      return broken('not JSON');
    }
    if (e.seq !== n) return broken(`expected entry ${n}, found ${String(e.seq)}`);
    if (e.prev !== prev) return broken('does not follow the previous entry');
    if (entryHash(e) !== e.hash) return broken('content does not match its hash');
    if (e.action === 'log.chain_started' && legacy && e.details['legacySha256'] !== sha256(legacy))
      return broken(`${LEGACY_LOG_FILE} changed since the chain started`);
    prev = e.hash;
  }
  return { ok: true, entries: lines.length };
}

/**
 * HQ's own operator log, `<dataDir>/operator-log.jsonl`: append-only,
 * hash-chained, each append written and flushed to disk before `record()`
 * resolves. On first use beside an old unchained `console-audit.jsonl`, the
 * chain starts with an entry holding that file's SHA-256 and line count; the
 * old file is left as it is.
 */
export class OperatorLog {
  readonly #file: string;
  readonly #legacyFile: string;
  readonly #now: () => number;
  #tail: Promise<{ seq: number; hash: string }> | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, options: { now?: () => number } = {}) {
    this.#file = path.join(dataDir, OPERATOR_LOG_FILE);
    this.#legacyFile = path.join(dataDir, LEGACY_LOG_FILE);
    this.#now = options.now ?? Date.now;
  }

  /** Appends one entry (in call order). */
  record(action: string, actor: string, details: Record<string, unknown> = {}): Promise<void> {
    const next = this.#writes.then(async () => {
      this.#tail ??= this.#open();
      let tail = await this.#tail;
      tail = await this.#append(tail, action, actor, details);
      this.#tail = Promise.resolve(tail);
    });
    this.#writes = next.catch(() => {
      // A failed write leaves the tail unknown; read it again next time.
      this.#tail = undefined;
    });
    return next;
  }

  async #open(): Promise<{ seq: number; hash: string }> {
    const text = await readFile(this.#file, 'utf8').catch(notFound(''));
    const last = text.split('\n').filter(Boolean).at(-1);
    if (last) {
      const e = JSON.parse(last) as OperatorLogEntry;
      return { seq: e.seq, hash: e.hash };
    }
    const start = { seq: 0, hash: GENESIS };
    const legacy = await readFile(this.#legacyFile).catch(notFound(undefined));
    if (!legacy) return start;
    return this.#append(start, 'log.chain_started', 'system', {
      legacyFile: LEGACY_LOG_FILE,
      legacySha256: sha256(legacy),
      legacyEntries: legacy.toString('utf8').split('\n').filter(Boolean).length,
    });
  }

  async #append(
    tail: { seq: number; hash: string },
    action: string,
    actor: string,
    details: Record<string, unknown>,
  ): Promise<{ seq: number; hash: string }> {
    const body = {
      seq: tail.seq + 1,
      at: new Date(this.#now()).toISOString(),
      action,
      actor,
      details: JSON.parse(JSON.stringify(details)) as Record<string, unknown>,
      prev: tail.hash,
    };
    const entry: OperatorLogEntry = { ...body, hash: entryHash(body) };
    const fh = await open(this.#file, 'a', 0o600);
    try {
      await fh.appendFile(`${JSON.stringify(entry)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    return { seq: entry.seq, hash: entry.hash };
  }

  /** Every entry, oldest first, and whether the chain holds. */
  async read(): Promise<{ entries: OperatorLogEntry[]; verdict: OperatorLogVerdict }> {
    await this.#writes;
    const text = await readFile(this.#file, 'utf8').catch(notFound(''));
    const legacy = await readFile(this.#legacyFile).catch(notFound(undefined));
    const entries: OperatorLogEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as OperatorLogEntry);
      } catch {
        // The verdict names the unreadable line.
      }
    }
    return { entries, verdict: verifyOperatorLog(text, legacy) };
  }

  /** Waits for pending appends. */
  async flush(): Promise<void> {
    await this.#writes;
  }
}

function notFound<T>(fallback: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  };
}
