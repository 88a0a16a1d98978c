// The operator guides (docs/operator-guide.md and its zh-CN translation) name only
// real things: every setting is declared in config/settings.ts, every `branchline`
// command, subcommand and option is in the real CLI's help or usage, every script
// and npm script exists, every /api path is a route, every port in the network
// tables is the default, and both languages have the same numbered sections.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SETTINGS } from '../appliance/src/config/index.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const GUIDES = ['docs/operator-guide.md', 'docs/operator-guide.zh-CN.md'] as const;

interface Cli {
  /** command → its subcommands (empty: the command takes none). */
  commands: Map<string, Set<string>>;
  /** command → the options its help rows and its own usage text name. */
  options: Map<string, Set<string>>;
}

function readGuide(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** Runs the operator CLI as an admin would; usage errors (exit 2) still give their text. */
async function cli(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/branchline.mjs', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', BRANCHLINE_DATA_DIR: '/nonexistent/branchline-guide-test' },
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (e.code !== 2) throw err;
    return (e.stdout ?? '') + (e.stderr ?? '');
  }
}

const OPTION = /--[a-z][a-z-]*/g;

/** The command table from `branchline --help`, and each command's options from its own usage. */
async function readCli(): Promise<Cli> {
  const help = await cli('--help');
  const rows = help.split('Commands:')[1]?.split('\n\n')[0] ?? '';
  const commands = new Map<string, Set<string>>();
  const options = new Map<string, Set<string>>();
  for (const row of rows.split('\n')) {
    const words = row.trim().split(/\s+/);
    const [name, maybeSub] = words;
    if (!name || !/^[a-z]+$/.test(name)) continue;
    const subs = commands.get(name) ?? new Set<string>();
    if (maybeSub && /^[a-z]+(?:-[a-z]+)*$/.test(maybeSub)) subs.add(maybeSub);
    commands.set(name, subs);
    const opts = options.get(name) ?? new Set<string>();
    for (const o of row.match(OPTION) ?? []) opts.add(o);
    options.set(name, opts);
  }
  // A command with subcommands prints its full usage when given none.
  for (const [name, subs] of commands) {
    if (subs.size === 0) continue;
    const usage = await cli(name);
    assert.match(usage, /Usage:/, `branchline ${name} with no subcommand prints its usage`);
    for (const o of usage.match(OPTION) ?? []) options.get(name)?.add(o);
  }
  return { commands, options };
}

let cliTable: Promise<Cli> | undefined;
/** The CLI is read once per file: each run starts tsx, seconds on a busy machine. */
const cliOnce = (): Promise<Cli> => {
  cliTable ??= readCli();
  return cliTable;
};

/** Backslash-continued shell lines joined, so an option on the next line belongs to its command. */
function joined(text: string): string {
  return text.replace(/\\\n\s*/g, ' ');
}

/** Every `branchline <command> …` invocation in the text, up to the end of its line or code span. */
function cliProblems(text: string, cli: Cli): string[] {
  const problems: string[] = [];
  // Not `sudo -u branchline`, not paths like /var/lib/branchline/…, not the product name.
  const mention = /(?<![\w./-])(?<!-u )branchline ([a-z][a-z-]*)([^\n`]*)/g;
  for (const m of joined(text).matchAll(mention)) {
    const [, name = '', rest = ''] = m;
    const subs = cli.commands.get(name);
    if (!subs) {
      problems.push(`branchline ${name}: no such command`);
      continue;
    }
    const sub = /^ ([a-z][a-z-]*)/.exec(rest)?.[1];
    if (subs.size > 0 && sub !== undefined && !subs.has(sub)) {
      problems.push(`branchline ${name} ${sub}: no such subcommand`);
    }
    const allowed = cli.options.get(name) ?? new Set<string>();
    for (const o of rest.match(OPTION) ?? []) {
      if (!allowed.has(o)) problems.push(`branchline ${name}${sub ? ` ${sub}` : ''}: no option ${o}`);
    }
  }
  return problems;
}

function settingProblems(text: string): string[] {
  const declared = new Set(SETTINGS.map((s) => s.name));
  const names = new Set(text.match(/\bBRANCHLINE_[A-Z0-9_]+/g) ?? []);
  return [...names].filter((n) => !declared.has(n)).map((n) => `${n}: not in config/settings.ts`);
}

function scriptProblems(text: string): string[] {
  const problems: string[] = [];
  const buildImage = readFileSync(path.join(ROOT, 'firmware-scripts/build-image.sh'), 'utf8');
  const toolsLine = buildImage.split('\n').find((l) => l.includes('$base/tools/"')) ?? '';
  for (const [full = '', name = ''] of text.matchAll(/(?:[\w./-]*\/)?([\w-]+\.sh)\b/g)) {
    if (full.startsWith('certs/')) {
      if (!existsSync(path.join(ROOT, full))) problems.push(`${full}: no such file`);
    } else if (!existsSync(path.join(ROOT, 'firmware-scripts', name))) {
      problems.push(`${full}: no firmware-scripts/${name}`);
    } else if (full.startsWith('/opt/branchline/tools/') && !toolsLine.includes(name)) {
      problems.push(`${full}: build-image.sh does not install ${name} in /opt/branchline/tools`);
    }
  }
  return problems;
}

function npmProblems(text: string): string[] {
  const scripts = (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const used = [
    ...[...text.matchAll(/\bnpm run ([a-z][\w:-]*)/g)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/\bnpm (start|test)\b/g)].map((m) => m[1] ?? ''),
  ];
  return used.filter((s) => !(s in scripts)).map((s) => `npm run ${s}: not in package.json`);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Route paths as the appliance declares them (`/voice/sip-accounts`, `/customers/{id}`, …). */
function declaredRoutes(): Set<string> {
  const routes = new Set<string>(['/openapi.json']);
  for (const file of sourceFiles(path.join(ROOT, 'appliance/src'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/path: '(\/[^']+)'/g)) routes.add(m[1] ?? '');
    // The WeChat family builds its paths from the channel's flavour: `${base}/callback` with
    // base = `/channels/${channel.flavour}`, one module per flavour.
    const base = /const base = `\/channels\/\$\{channel\.flavour\}`/.test(src);
    if (base) {
      for (const m of src.matchAll(/`\$\{base\}(\/[a-z]+)`/g)) {
        for (const flavour of ['wechat', 'wecom']) routes.add(`/channels/${flavour}${m[1]}`);
      }
    }
  }
  return routes;
}

function apiProblems(text: string, routes: Set<string>): string[] {
  const used = new Set([...text.matchAll(/\/api(\/[\w{}./-]*[\w}])/g)].map((m) => m[1] ?? ''));
  return [...used].filter((p) => !routes.has(p)).map((p) => `/api${p}: no such route`);
}

/** Rows of the guides' port tables: a `BRANCHLINE_*_PORT` setting must be shown with its default. */
function portProblems(text: string): string[] {
  const problems: string[] = [];
  for (const row of text.split('\n').filter((l) => l.startsWith('|'))) {
    for (const [name = ''] of row.matchAll(/BRANCHLINE_[A-Z_]*PORT\b/g)) {
      const def = SETTINGS.find((s) => s.name === name)?.default;
      if (def === undefined || !new RegExp(`\\b${def}\\b`).test(row)) {
        problems.push(`${name}: the table row does not show its default ${def ?? '(none)'}`);
      }
    }
  }
  return problems;
}

function headings(text: string): string[] {
  return [...text.matchAll(/^## (\d+)\./gm)].map((m) => m[1] ?? '');
}

test('both guides name only settings declared in appliance/src/config/settings.ts', () => {
  for (const file of GUIDES) {
    const text = readGuide(file);
    assert.ok((text.match(/\bBRANCHLINE_[A-Z0-9_]+/g) ?? []).length > 20, `${file} names settings`);
    assert.deepEqual(settingProblems(text), [], file);
  }
});

test("every `branchline` command, subcommand and option in the guides is in the real CLI's help or usage", async () => {
  const table = await cliOnce();
  assert.deepEqual([...table.commands.keys()].sort(), [
    'audit',
    'backup',
    'config',
    'keys',
    'recordings',
    'user',
  ]);
  for (const file of GUIDES) {
    const text = readGuide(file);
    for (const used of ['backup create', 'backup restore', 'user freeze', 'audit verify', 'keys rotate']) {
      assert.ok(text.includes(`branchline ${used}`), `${file} shows branchline ${used}`);
    }
    assert.deepEqual(cliProblems(text, table), [], file);
  }
});

test('the CLI check refuses an unknown command, subcommand or option (backup takes no --data-dir)', async () => {
  const table = await cliOnce();
  const bad = [
    '`branchline restore FILE`',
    '`branchline backup list`',
    'sudo -u branchline env BRANCHLINE_DATA_DIR=/x branchline backup create --data-dir /var/lib/branchline',
    'branchline user freeze li.na \\\n  --why "left"',
  ].join('\n');
  assert.deepEqual(cliProblems(bad, table), [
    'branchline restore: no such command',
    'branchline backup list: no such subcommand',
    'branchline backup create: no option --data-dir',
    'branchline user freeze: no option --why',
  ]);
  assert.deepEqual(cliProblems('`branchline audit verify --data-dir /d --json`', table), []);
});

test('every firmware script, npm script and /api route the guides name exists', () => {
  const routes = declaredRoutes();
  for (const file of GUIDES) {
    const text = readGuide(file);
    assert.deepEqual(scriptProblems(text), [], file);
    assert.deepEqual(npmProblems(text), [], file);
    assert.deepEqual(apiProblems(text, routes), [], file);
  }
  const bad = [
    'firmware-scripts/flash.sh',
    '/opt/branchline/tools/factory-reset.sh',
    'certs/make-ca.sh',
    'npm run setup',
    'PUT /api/voice/trunk',
    '/api/channels/wechat/callback',
    'BRANCHLINE_HTTP_PORTS',
  ].join('\n');
  assert.deepEqual(scriptProblems(bad), [
    'firmware-scripts/flash.sh: no firmware-scripts/flash.sh',
    '/opt/branchline/tools/factory-reset.sh: build-image.sh does not install factory-reset.sh in /opt/branchline/tools',
    'certs/make-ca.sh: no such file',
  ]);
  assert.deepEqual(npmProblems(bad), ['npm run setup: not in package.json']);
  assert.deepEqual(apiProblems(bad, routes), ['/api/voice/trunk: no such route']);
  assert.deepEqual(settingProblems(bad), ['BRANCHLINE_HTTP_PORTS: not in config/settings.ts']);
});

test("the guides' port tables show the default ports and the WebRTC range the code uses", () => {
  const voice = readFileSync(path.join(ROOT, 'appliance/src/voice/module.ts'), 'utf8');
  const range = /portRange: \[(\d+), (\d+)\]/.exec(voice);
  assert.ok(range, 'voice/module.ts fixes the WebRTC port range');
  for (const file of GUIDES) {
    const text = readGuide(file);
    assert.deepEqual(portProblems(text), [], file);
    assert.ok(text.includes(`${range[1]}–${range[2]}`), `${file} shows UDP ${range[1]}–${range[2]}`);
  }
  assert.deepEqual(portProblems('| HTTPS | TCP 443 | `BRANCHLINE_HTTPS_PORT` |'), [
    'BRANCHLINE_HTTPS_PORT: the table row does not show its default 8443',
  ]);
});

test('the English and zh-CN guides have the same numbered ## sections', () => {
  const [en, zh] = GUIDES.map((f) => headings(readGuide(f)));
  assert.ok(en && zh);
  assert.ok(en.length >= 10, `the English guide has ${en.length} numbered sections`);
  assert.deepEqual(zh, en);
  assert.deepEqual(
    en,
    en.map((_, i) => String(i + 1)),
  );
  const count = (f: string) => (readGuide(f).match(/^## /gm) ?? []).length;
  assert.equal(count(GUIDES[1]), count(GUIDES[0]));
});
