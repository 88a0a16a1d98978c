import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyRecordingExport } from '../voice/index.ts';

export interface RecordingsIo {
  dataDir: string;
  out: (s: string) => void;
  err: (s: string) => void;
}

const USAGE = `Usage:
  branchline recordings verify-export FILE.tar [--public-key BASE64|FILE] [--json]
    Checks an exported recording offline: the manifest's Ed25519 signature against the
    appliance's audit key (--public-key, else <data-dir>/keys/audit-signing.pub) and every
    file's SHA-256. Exit 0 verified, 1 not, 2 usage.`;

/** The public key from an argument (base64 or a file holding it), else the data directory's. */
async function publicKeyFrom(arg: unknown, dataDir: string): Promise<string | undefined> {
  if (typeof arg === 'string') return existsSync(arg) ? (await readFile(arg, 'utf8')).trim() : arg.trim();
  const pub = join(dataDir, 'keys', 'audit-signing.pub');
  return existsSync(pub) ? (await readFile(pub, 'utf8')).trim() : undefined;
}

/** `branchline recordings verify-export`. */
export async function recordingsCommand(argv: string[], io: RecordingsIo): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        'public-key': { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (sub !== 'verify-export' || !file || parsed.positionals.length > 1) {
    io.err(USAGE);
    return 2;
  }
  const dataDir = typeof parsed.values['data-dir'] === 'string' ? parsed.values['data-dir'] : io.dataDir;
  const publicKey = await publicKeyFrom(parsed.values['public-key'], dataDir);
  if (!publicKey) {
    io.err(`No public key: pass --public-key (no ${join(dataDir, 'keys', 'audit-signing.pub')})`);
    return 2;
  }
  let tar: Buffer;
  try {
    tar = await readFile(file);
  } catch (err) {
    io.err(`Cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const v = verifyRecordingExport(tar, { publicKey });
  if (parsed.values['json'] === true)
    io.out(JSON.stringify({ ok: v.ok, problems: v.problems, manifest: v.manifest }));
  else if (v.ok) {
    const m = v.manifest;
    io.out(`OK: export of call ${m?.callId} by ${m?.exportedBy.userId} at ${m?.exportedAt}`);
    io.out(`reason: ${m?.reason}`);
    for (const f of m?.files ?? []) io.out(`  ${f.sha256}  ${f.name} (${f.bytes} bytes)`);
    for (const c of m?.custody ?? []) io.out(`  custody: ${c.at} ${c.what} by ${c.by}: ${c.reason}`);
  } else for (const p of v.problems) io.out(`FAILED: ${p}`);
  return v.ok ? 0 : 1;
}
