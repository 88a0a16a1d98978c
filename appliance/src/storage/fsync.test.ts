import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const STRACE = '/usr/bin/strace';
const child = fileURLToPath(new URL('./testdata/fsync-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'branchline-fsync-'));
let runs = 0;
after(() => rmSync(root, { recursive: true, force: true }));

const SYNC_DONE = /\b(fdatasync|fsync)\(\d+\)\s+= 0|<\.\.\. (fdatasync|fsync) resumed>.*= 0/;
const MARK = /write\(1, "MARK ([^\\"]*)\\n"/;

/** Runs the child under strace; returns, per marker, whether an fsync completed since the previous one. */
function traced(mode: string): Array<{ mark: string; syncs: number }> {
  assert.ok(
    existsSync(STRACE),
    `strace is required for this test but ${STRACE} is missing (apt-get install strace)`,
  );
  const run = `${mode}-${++runs}`;
  const log = join(root, `${run}.strace`);
  const res = spawnSync(
    STRACE,
    [
      '-f',
      '-e',
      'trace=fdatasync,fsync,write',
      '-o',
      log,
      process.execPath,
      '--import',
      'tsx',
      child,
      join(root, run),
      mode,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(res.status, 0, `child failed: ${res.stderr}`);
  const marks: Array<{ mark: string; syncs: number }> = [];
  let syncs = 0;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = MARK.exec(line);
    if (m) {
      marks.push({ mark: m[1] ?? '', syncs });
      syncs = 0;
    } else if (SYNC_DONE.test(line)) syncs++;
  }
  return marks;
}

describe('durable writes', () => {
  it('PouchDocStore completes an fsync/fdatasync before each write is acknowledged', () => {
    const marks = traced('durable');
    assert.deepEqual(
      marks.map((m) => m.mark),
      ['begin', 'put 0', 'put 1', 'put 2', 'put 3', 'put 4', 'concurrent 20', 'put r', 'remove r'],
    );
    for (const m of marks.slice(1))
      assert.ok(m.syncs > 0, `no fsync completed before "${m.mark}" was acknowledged`);
  });

  it('PouchDocStore group-commits 20 concurrent puts into a few fsyncs', () => {
    const marks = traced('durable');
    const concurrent = marks.find((m) => m.mark === 'concurrent 20');
    assert.ok(concurrent && concurrent.syncs >= 1 && concurrent.syncs <= 3, `syncs: ${concurrent?.syncs}`);
  });

  it('stock PouchDB on plain leveldown acknowledges writes without any fsync (the check can fail)', () => {
    const marks = traced('plain');
    assert.equal(marks.length, 6);
    assert.ok(
      marks.slice(1).every((m) => m.syncs === 0),
      'plain leveldown unexpectedly synced',
    );
  });
});
