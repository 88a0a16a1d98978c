#!/usr/bin/env node
// Operator CLI entry: runs the TypeScript CLI through tsx (no build step on the appliance).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// tsx is resolved from this file, not from the working directory, so the CLI
// runs from anywhere (the image links it as /usr/local/bin/branchline).
const tsx = import.meta.resolve('tsx');
const r = spawnSync(
  process.execPath,
  ['--import', tsx, path.join(root, 'appliance/src/cli/main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: process.cwd() },
);
process.exit(r.status ?? 1);
