#!/usr/bin/env node
// Runs the whole suite: builds the console bundle (the browser tests serve it),
// then every *.test.ts under appliance/, sync/, web/ and tests/ with node:test via tsx.
// `--fast` (npm run test:fast): only the tests beside the code (in-process, no
// appliance started, no browser, no console build) — the tier to run while editing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const fast = process.argv.includes('--fast');
const only = process.argv.slice(2).filter((a) => a !== '--fast');

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(path.relative(root, p));
  }
  return out;
}

if (existsSync(path.join(root, 'web/vite.config.ts')) && !process.env.BRANCHLINE_SKIP_WEB_BUILD && !fast) {
  // Rebuilds only when web/dist does not match web/src (content stamp), as `npm start` does.
  const b = spawnSync(process.execPath, ['scripts/console-build.mjs', 'ensure'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

let files = (fast ? ['appliance', 'sync', 'web/src'] : ['appliance', 'sync', 'web/src', 'tests']).flatMap(
  (d) => walk(path.join(root, d), []),
);
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
files.sort();
// Files that take longer than the per-file limit by nature run after the others, with
// their own limit: the QEMU boot of the appliance image (a cold image build plus two
// appliance starts under emulation; see firmware-scripts/README.md).
const SLOW = { 'tests/image-qemu-boot.test.ts': 3_600_000 };
const runFiles = (list, timeoutMs) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './scripts/test-setup.ts',
      '--test',
      '--test-concurrency=2',
      `--test-timeout=${timeoutMs}`,
      ...list,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BRANCHLINE_LOG_LEVEL: process.env.BRANCHLINE_LOG_LEVEL ?? 'warn' },
    },
  ).status ?? 1;
const normal = files.filter((f) => !(f in SLOW));
let status = normal.length > 0 ? runFiles(normal, 300_000) : 0;
for (const f of files.filter((f) => f in SLOW)) status = runFiles([f], SLOW[f]) || status;
process.exit(status);
