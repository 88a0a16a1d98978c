import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { BranchCredentials } from './branch-credentials.ts';

/** Largest chunk one PUT may carry (a branch sends 1 MiB by default). */
export const ARCHIVE_MAX_CHUNK = 8 * 1024 * 1024;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const FILE = /^[A-Za-z0-9_-]{1,64}\.(blrec|json)$/;

/** What HQ holds of one archived file. */
export interface ArchivedFile {
  size: number;
  sha256: string;
}

/** Per-branch chunk counts since HQ started (the tests count re-sent chunks with them). */
export interface ArchiveCounts {
  /** Chunks that added bytes. */
  appended: number;
  /** Chunks wholly inside what was already stored (a re-send; acknowledged, not written again). */
  repeated: number;
}

/**
 * Recording archives branches upload to HQ: append-only files under
 * `<dataDir>/archive/<branch>/<callId>/<file>`, written at an offset so a
 * resumed upload continues where HQ's stored size ends, each append fsynced
 * before it is acknowledged. HQ stores the branch's ciphertext as it came.
 */
export class ArchiveStore {
  readonly #root: string;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #counts = new Map<string, ArchiveCounts>();

  constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'archive');
  }

  counts(branch: string): ArchiveCounts {
    return { ...(this.#counts.get(branch) ?? { appended: 0, repeated: 0 }) };
  }

  #path(branch: string, callId: string, file: string): string {
    if (!ID.test(branch) || !ID.test(callId) || !FILE.test(file))
      throw new RangeError('Cannot address archive file: bad branch, call or file name');
    return path.join(this.#root, branch, callId, file);
  }

  async #size(p: string): Promise<number> {
    return stat(p).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** Size and SHA-256 of a stored file, or undefined when HQ has none. */
  async file(branch: string, callId: string, file: string): Promise<ArchivedFile | undefined> {
    const p = this.#path(branch, callId, file);
    const s = await stat(p).catch(() => undefined);
    if (!s) return undefined;
    const hash = createHash('sha256');
    for await (const b of createReadStream(p)) hash.update(b as Buffer);
    return { size: s.size, sha256: hash.digest('hex') };
  }

  /**
   * Writes `bytes` at `offset`. Idempotent: bytes already stored that match are
   * acknowledged without a write; a gap (offset past the end) or different
   * bytes are a conflict that reports HQ's size.
   */
  async write(
    branch: string,
    callId: string,
    file: string,
    offset: number,
    bytes: Buffer,
  ): Promise<{ ok: true; size: number } | { ok: false; size: number; reason: string }> {
    const p = this.#path(branch, callId, file);
    const prev = this.#locks.get(p) ?? Promise.resolve();
    const next = prev.then(async () => {
      const size = await this.#size(p);
      if (offset > size) return { ok: false as const, size, reason: 'offset past the stored end' };
      const overlap = Math.min(size - offset, bytes.length);
      if (overlap > 0) {
        const fh = await open(p, 'r');
        try {
          const have = Buffer.alloc(overlap);
          await fh.read(have, 0, overlap, offset);
          if (!have.equals(bytes.subarray(0, overlap)))
            return { ok: false as const, size, reason: 'bytes differ from those stored' };
        } finally {
          await fh.close();
        }
      }
      const counts = this.#counts.get(branch) ?? { appended: 0, repeated: 0 };
      this.#counts.set(branch, counts);
      if (overlap === bytes.length) {
        counts.repeated++;
        return { ok: true as const, size };
      }
      await mkdir(path.dirname(p), { recursive: true, mode: 0o700 });
      const fh = await open(p, 'a', 0o600);
      try {
        await fh.write(bytes, overlap);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      counts.appended++;
      return { ok: true as const, size: size + bytes.length - overlap };
    });
    this.#locks.set(
      p,
      next.catch(() => undefined),
    );
    return next;
  }

  /** The HQ console's listing: one branch's archived calls and their files. */
  async list(
    branch: string,
  ): Promise<Array<{ callId: string; files: Array<{ name: string; size: number }> }>> {
    if (!ID.test(branch)) throw new RangeError('Cannot list archive: bad branch id');
    const dir = path.join(this.#root, branch);
    const calls = await readdir(dir).catch(() => [] as string[]);
    const out = [];
    for (const callId of calls.sort()) {
      const names = await readdir(path.join(dir, callId)).catch(() => [] as string[]);
      const files = [];
      for (const name of names.sort())
        files.push({ name, size: (await stat(path.join(dir, callId, name))).size });
      out.push({ callId, files });
    }
    return out;
  }
}

type Next = () => void;

/**
 * `/_archive/<branch>/<callId>/<file>` on HQ's replication port, always behind
 * the branch's own credentials (HTTP basic, as replication): `GET` → size and
 * SHA-256 of what HQ stored (404 when nothing), `PUT ?offset=N` with the raw
 * bytes → `{ size }` (409 with HQ's size when the offset does not fit), and
 * `GET /_archive/<branch>` → the branch's archived calls. A branch reaches only
 * its own archive.
 */
export function archiveHandler(
  credentials: BranchCredentials,
  store: ArchiveStore,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://hq');
    const parts = url.pathname.split('/').slice(1);
    if (parts[0] !== '_archive') return next();
    void (async () => {
      const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
      const pair = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
      const colon = pair.indexOf(':');
      const branch = colon > 0 ? credentials.check(pair.slice(0, colon), pair.slice(colon + 1)) : undefined;
      if (!branch) {
        res.setHeader('www-authenticate', 'Basic realm="branchline-hq"');
        return send(res, 401, { error: 'unauthorized', reason: 'branch credentials required' });
      }
      const [, owner, callId, file] = parts.map((p) => decodeURIComponent(p));
      if (owner !== branch)
        return send(res, 403, { error: 'forbidden', reason: 'not this branch’s archive' });
      try {
        if (req.method === 'GET' && callId === undefined) return send(res, 200, await store.list(branch));
        if (callId === undefined || file === undefined || parts.length !== 4)
          return send(res, 404, { error: 'not_found', reason: 'no such archive path' });
        if (req.method === 'GET') {
          const f = await store.file(branch, callId, file);
          return f ? send(res, 200, f) : send(res, 404, { error: 'not_found', reason: 'not archived' });
        }
        if (req.method !== 'PUT') return send(res, 405, { error: 'method_not_allowed' });
        const offset = Number(url.searchParams.get('offset'));
        if (!Number.isSafeInteger(offset) || offset < 0)
          return send(res, 400, { error: 'bad_request', reason: 'offset must be an integer ≥ 0' });
        const chunks: Buffer[] = [];
        let length = 0;
        for await (const c of req) {
          length += (c as Buffer).length;
          if (length > ARCHIVE_MAX_CHUNK)
            return send(res, 413, {
              error: 'too_large',
              reason: `a chunk is at most ${ARCHIVE_MAX_CHUNK} bytes`,
            });
          chunks.push(c as Buffer);
        }
        if (length === 0) return send(res, 400, { error: 'bad_request', reason: 'empty chunk' });
        const r = await store.write(branch, callId, file, offset, Buffer.concat(chunks));
        return r.ok ? send(res, 200, { size: r.size }) : send(res, 409, { error: 'conflict', ...r });
      } catch (err) {
        if (err instanceof RangeError) return send(res, 400, { error: 'bad_request', reason: err.message });
        return send(res, 500, { error: 'internal', reason: 'archive write failed' });
      }
    })();
  };
}
