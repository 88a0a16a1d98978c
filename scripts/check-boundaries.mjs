#!/usr/bin/env node
// Enforces STYLE rule 1: a context imports another context only through its index.ts,
// and never imports its own index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const src = path.resolve(import.meta.dirname, '../appliance/src');
const bad = [];
function walk(dir) {
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.tsx?$/.test(n)) check(p);
  }
}
// channels/<name>/ are contexts of their own (webchat, email, wechat, wecom).
function contextOf(parts) {
  return parts[0] === 'channels' && parts.length > 2 ? `channels/${parts[1]}` : parts[0];
}
function check(file) {
  const ctx = contextOf(path.relative(src, file).split(path.sep));
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), m[1]);
    const rel = path.relative(src, target);
    if (rel.startsWith('..')) continue;
    const parts = rel.split(path.sep);
    const tctx = contextOf(parts);
    const depth = tctx.split('/').length;
    const isIndex = parts.length === depth + 1 && parts[depth] === 'index.ts';
    if (tctx === ctx) {
      if (isIndex && !file.endsWith(`${ctx}${path.sep}index.ts`)) {
        if (!/\.test\.ts$/.test(file)) bad.push(`${path.relative(src, file)} imports its own index.ts`);
      }
      continue;
    }
    if (parts.length === 1) continue; // main.ts etc.
    if (!isIndex) {
      bad.push(`${path.relative(src, file)} reaches into ${rel} (import ${tctx}/index.ts instead)`);
    }
  }
}
walk(src);
if (bad.length) {
  process.stderr.write(`${bad.join('\n')}\n${bad.length} boundary violation(s)\n`);
  process.exit(1);
}
process.stdout.write('boundaries ok\n');
