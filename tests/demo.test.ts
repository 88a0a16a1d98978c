// `npm run demo` against a real running appliance: synthetic chats and emails
// arrive over the widget WebSocket and SMTP, a scripted agent accepts the
// offers from the console socket, replies and closes them, and the last line
// is the JSON summary. Against nothing listening it exits 1 with a clear message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';

let app: RunningAppliance;
let admin: ApiClient;
let smtpPort: number;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-demo-');
  cleanup = tmp.cleanup;
  smtpPort = await freePort();
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_SMTP_PORT: String(smtpPort) } });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

function demo(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

test('the demo drives chats and emails through the running appliance and a signed-in agent replies to and closes them', async () => {
  // Routing refuses a condition or profile naming a skill it does not know: the skill comes first.
  ok(await admin.request('PUT', '/api/routing/skills/cards', { name: 'Cards' }), 204);
  ok(await admin.request('PUT', '/api/routing/queues/chat', { name: 'Chat' }), 204);
  ok(
    await admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [],
      defaultTarget: { queue: 'chat', agentExpression: 'skills.cards >= 2' },
    }),
    204,
  );
  const password = 'demo agent password 2026';
  const agent = await createSignedInUser(admin, 'demo.agent', ['agent'], password);
  ok(
    await admin.request('PUT', `/api/routing/agents/${agent.userId}`, {
      skills: { cards: 3 },
      languages: ['zh', 'en'],
      capacity: { webchat: 3, email: 5 },
      totalCapacity: 5,
    }),
    204,
  );

  const run = await demo(['--chats', '5', '--emails', '3', '--seconds', '30', '--rate', '4'], {
    BRANCHLINE_HTTP_PORT: String(app.httpPort),
    BRANCHLINE_SMTP_PORT: String(smtpPort),
    BRANCHLINE_DEMO_AGENTS: `demo.agent:${password}`,
  });
  assert.equal(run.code, 0, run.err + run.out);
  const lines = run.out.trim().split('\n');
  assert.ok(
    lines.some((l) => l.includes('agent demo.agent signed in and available')),
    run.out,
  );
  const summary = JSON.parse(lines.at(-1) ?? '');
  assert.equal(summary.demo, 'done');
  assert.equal(summary.chats, 5);
  assert.equal(summary.emails, 3);
  assert.equal(summary.calls, 0);
  assert.equal(summary.errors, 0, run.out);
  assert.ok(summary.agentReplies >= 6, `the agent answered (nearly) every contact: ${run.out}`);

  const list = await admin.request('GET', '/api/contacts?scope=all');
  ok(list, 200);
  const contacts = list.json['contacts'] as Array<{
    channel: string;
    state: string;
    agentId?: string;
    wrapUpCode?: string;
  }>;
  assert.equal(contacts.filter((c) => c.channel === 'webchat').length, 5);
  assert.ok(contacts.filter((c) => c.channel === 'email').length >= 1, 'the emails became contacts');
  const closed = contacts.filter(
    (c) => c.state === 'closed' && c.agentId === agent.userId && c.wrapUpCode === 'resolved',
  );
  assert.ok(closed.length >= 6, `the agent closed the contacts: ${JSON.stringify(contacts)}`);
  const state = await agent.client.request('GET', '/api/routing/me/state');
  assert.equal(state.json['state'], 'offline', 'the demo agent signs off at the end');
});

test('the demo exits 1 with a clear message when no appliance is listening', async () => {
  const port = await freePort();
  const run = await demo(['--chats', '1', '--seconds', '5'], { BRANCHLINE_HTTP_PORT: String(port) });
  assert.equal(run.code, 1);
  assert.match(run.err, new RegExp(`not reachable at http://127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(run.out, /"demo":"done"/);
});
