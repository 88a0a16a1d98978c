#!/usr/bin/env node
// The console bundle (web/dist/console + web/dist/widget) that the appliance serves.
//
//   node scripts/console-build.mjs ensure      build it unless web/dist matches the sources (prepare, prestart, tests)
//   node scripts/console-build.mjs postbuild   pre-compress the output (.gz, .br) and stamp it (end of `npm run build -w web`)
//
// "Matches" is by content, not mtime: the stamp is a hash of every build input, so a
// fresh clone, a copied firmware slot or a touched file all give the right answer.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const STAMP = path.join(dist, '.build-stamp');
const OUTPUTS = ['console/index.html', 'widget/widget.js'];
/** Files whose content decides the bundle, besides web/src (tests excluded). */
const INPUTS = [
  'web/index.html',
  'web/package.json',
  'web/tsconfig.json',
  'web/vite.config.ts',
  'web/vite.widget.config.ts',
  'package-lock.json',
  'scripts/console-build.mjs',
];
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|wasm)$/;

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** sha256 over the relative path and content of every build input. */
export function inputsHash() {
  const files = [
    ...INPUTS.map((f) => path.join(root, f)).filter((f) => existsSync(f)),
    ...walk(path.join(web, 'src'), []).filter((f) => !/\.test\.tsx?$/.test(f)),
    ...walk(path.join(web, 'public'), []),
  ];
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(root, f).split(path.sep).join('/'));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Why web/dist cannot be served as it is, or undefined when it is current. */
export function staleReason() {
  const missing = OUTPUTS.find((o) => !existsSync(path.join(dist, o)));
  if (missing) return `web/dist/${missing} is missing`;
  if (!existsSync(STAMP)) return 'web/dist has no build stamp';
  if (readFileSync(STAMP, 'utf8').trim() !== inputsHash()) return 'web/dist is older than web/src';
  return undefined;
}

/** Writes name.gz and name.br beside each text asset when that saves bytes; returns the count. */
export function precompress(dir) {
  let n = 0;
  for (const file of walk(dir, [])) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(file);
    const gz = gzipSync(body, { level: 9 });
    const br = brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      },
    });
    if (gz.byteLength < body.byteLength) writeFileSync(`${file}.gz`, gz);
    if (br.byteLength < body.byteLength) writeFileSync(`${file}.br`, br);
    n++;
  }
  return n;
}

function log(line) {
  process.stdout.write(`console-build: ${line}\n`);
}

function ensure() {
  const reason = staleReason();
  if (!reason) return 0;
  if (!existsSync(path.join(root, 'node_modules/vite/package.json'))) {
    process.stderr.write(
      `console-build: ${reason}, and vite is not installed (npm ci --omit=dev?).\n` +
        'console-build: build the console where dev dependencies are installed: npm run build:web\n',
    );
    return 1;
  }
  log(`${reason}: building the console (npm run build -w web) ...`);
  const t0 = Date.now();
  // A build that fails half-way must not leave a stamp that still matches.
  if (existsSync(STAMP)) unlinkSync(STAMP);
  const b = spawnSync('npm', ['run', 'build', '-w', 'web'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (b.status !== 0) {
    process.stderr.write(`console-build: the console build failed (exit ${b.status})\n`);
    return b.status ?? 1;
  }
  const still = staleReason();
  if (still) {
    process.stderr.write(`console-build: built, but ${still}\n`);
    return 1;
  }
  log(`console built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

function postbuild() {
  const missing = OUTPUTS.find((o) => !existsSync(path.join(dist, o)));
  if (missing) {
    process.stderr.write(`console-build: web/dist/${missing} was not produced\n`);
    return 1;
  }
  const n = precompress(dist);
  writeFileSync(STAMP, `${inputsHash()}\n`);
  log(`pre-compressed ${n} files (.gz, .br) and stamped web/dist`);
  return 0;
}

if (process.argv[1] === import.meta.filename) {
  const cmd = process.argv[2] ?? 'ensure';
  if (cmd === 'ensure') process.exit(ensure());
  else if (cmd === 'postbuild') process.exit(postbuild());
  else {
    process.stderr.write(`usage: node scripts/console-build.mjs [ensure|postbuild] (got "${cmd}")\n`);
    process.exit(2);
  }
}
