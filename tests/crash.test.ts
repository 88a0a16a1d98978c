// Crash safety: writes go through the HTTP API while the appliance is killed
// with SIGKILL at random moments; every write that got a 2xx must be there
// after restart, and the databases must always open.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { validBankCard, validIdCard, validPhone } from './support/synthetic.ts';

const ROUNDS = Number(process.env['CRASH_ROUNDS'] ?? 20);
const WRITER = { username: 'crm.writer', password: 'crm writer password 2026' };
let cleanup: (() => Promise<void>) | undefined;
after(() => cleanup?.());

async function writeUntilKilled(
  client: ApiClient,
  acked: Map<string, string>,
  stopAt: number,
): Promise<void> {
  let n = 0;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const id = randomUUID();
      const name = `Crash ${n++}`;
      try {
        const r = await client.request('POST', '/api/customers', {
          id,
          name,
          phone: validPhone(),
          idCard: validIdCard(),
          bankCard: validBankCard(),
        });
        if (r.status >= 200 && r.status < 300) acked.set(id, name);
      } catch {
        return; // connection reset: the process is gone
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

test(`every acknowledged write survives ${ROUNDS} SIGKILLs at random moments`, async () => {
  const tmp = await tempDataDir('bl-crash-');
  cleanup = tmp.cleanup;
  let app: RunningAppliance = await startAppliance(tmp.dir);
  const { admin } = await bootstrapAdmin(app);
  const role = await admin.request('POST', '/api/roles', {
    id: 'crm-writer',
    description: 'writes customer profiles',
    permissions: ['customers.read', 'customers.write', 'customers.read_sensitive'],
  });
  assert.ok(role.status < 300, JSON.stringify(role.json));
  await createSignedInUser(admin, WRITER.username, ['crm-writer'], WRITER.password);

  const acked = new Map<string, string>();
  let killedMidWrite = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const client = new ApiClient(app.base);
    const login = await client.login(WRITER.username, WRITER.password);
    assert.equal(login.status, 200, `round ${round}: login after restart`);
    const before = acked.size;
    const runFor = 150 + Math.floor(Math.random() * 600);
    const writing = writeUntilKilled(client, acked, Date.now() + 5_000);
    await new Promise((r) => setTimeout(r, runFor));
    await app.kill('SIGKILL');
    await writing;
    if (acked.size > before) killedMidWrite++;
    app = await startAppliance(tmp.dir);
  }
  const reader = new ApiClient(app.base);
  assert.equal((await reader.login(WRITER.username, WRITER.password)).status, 200);
  const missing: string[] = [];
  for (const [id, name] of acked) {
    const r = await reader.request('GET', `/api/customers/${id}`);
    if (r.status !== 200 || r.json['name'] !== name) missing.push(id);
  }
  await app.stop();
  assert.ok(acked.size > ROUNDS * 5, `enough writes were acknowledged (${acked.size})`);
  assert.ok(killedMidWrite >= ROUNDS / 2, `kills landed while writes were in flight (${killedMidWrite})`);
  assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged writes were lost`);
});
