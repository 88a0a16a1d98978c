// First run as an operator would: admin bootstrap, a no-MFA operations user
// (the suite signs in again after every kill), channel credentials, an IVR that
// queues every call, and one queue for everything.
import { bootstrapAdmin, createSignedInUser } from '../../tests/support/bootstrap.ts';
import { routeAllTo } from '../../tests/voice-support/e2e.ts';
import type { ChaosAppliance } from './appliance.ts';
import { ChaosSession } from './session.ts';
import { CREDENTIALS } from './wechat.ts';

const OPS = { username: 'chaos.ops', password: 'chaos ops password 2026!' };

const QUEUE_EVERY_CALL = {
  id: 'inbound',
  name: 'Chaos IVR',
  language: 'en',
  start: 'queue',
  nodes: { queue: { type: 'enqueue', queue: 'chaos' } },
};

function expect(r: { status: number; json: unknown }, what: string): void {
  if (r.status < 200 || r.status >= 300)
    throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
}

export async function setUp(app: ChaosAppliance): Promise<ChaosSession> {
  const { admin } = await bootstrapAdmin(app.asRunning());
  expect(
    await admin.request('POST', '/api/roles', {
      id: 'chaos-ops',
      description: 'chaos suite: writes and reads every contact, ticket and the quarantine',
      permissions: [
        'customers.read',
        'customers.write',
        'contacts.handle',
        'contacts.monitor',
        'tickets.read',
        'tickets.write',
        'system.manage',
      ],
    }),
    'role',
  );
  await createSignedInUser(admin, OPS.username, ['chaos-ops'], OPS.password);
  expect(await admin.request('PUT', '/api/channels/wechat/config', CREDENTIALS.wechat), 'wechat config');
  expect(await admin.request('PUT', '/api/channels/wecom/config', CREDENTIALS.wecom), 'wecom config');
  await routeAllTo(admin, { id: 'chaos', name: 'Chaos' }, QUEUE_EVERY_CALL);
  const session = new ChaosSession(app.base, OPS.username, OPS.password);
  if (!(await session.login())) throw new Error('the chaos operations user cannot sign in');
  return session;
}
