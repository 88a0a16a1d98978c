import { base32Decode, totp } from '../../appliance/src/identity/index.ts';
import { initialPassword, type RunningAppliance } from './appliance.ts';
import { ApiClient } from './client.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple 42';

/** A TOTP code for `stepsAhead` 30-second steps from now (the server accepts ±1 step, no reuse). */
export function totpCode(secret: string, stepsAhead = 0): string {
  return totp(base32Decode(secret), Date.now() + stepsAhead * 30_000);
}

function expect(r: { status: number; json: unknown }, status: number, what: string): void {
  const ok = status === 200 ? r.status >= 200 && r.status < 300 : r.status === status;
  if (!ok) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.json)}`);
}

/**
 * First run as a real operator would: one-time password → forced change →
 * TOTP enrolment → fresh login with a code. Returns a signed-in admin client.
 */
export async function bootstrapAdmin(app: RunningAppliance, base = app.base) {
  const admin = new ApiClient(base);
  expect(await admin.login('admin', initialPassword(app)), 200, 'first login');
  expect(
    await admin.request('POST', '/api/auth/password', {
      currentPassword: initialPassword(app),
      newPassword: ADMIN_PASSWORD,
    }),
    200,
    'password change',
  );
  const setup = await admin.request('POST', '/api/auth/mfa/setup', {});
  expect(setup, 200, 'mfa setup');
  const secret = setup.json['secret'] as string;
  expect(
    await admin.request('POST', '/api/auth/mfa/confirm', { code: totpCode(secret) }),
    200,
    'mfa confirm',
  );
  const fresh = new ApiClient(base);
  const lastStep = Math.floor(Date.now() / 30_000) + 1;
  expect(await fresh.login('admin', ADMIN_PASSWORD, totpCode(secret, 1)), 200, 'login with TOTP');
  return { admin: fresh, secret, lastStep };
}

/**
 * A code for a step after `lastStep` (the server refuses reuse of a step):
 * waits for the clock to move on when it has to (at most one 30 s step).
 */
export async function nextTotp(secret: string, lastStep: number): Promise<{ code: string; step: number }> {
  while (Math.floor(Date.now() / 30_000) + 1 <= lastStep) await new Promise((r) => setTimeout(r, 500));
  return { code: totpCode(secret, 1), step: Math.floor(Date.now() / 30_000) + 1 };
}

/** Creates a user through the API and signs them in with a permanent password (no MFA roles). */
export async function createSignedInUser(
  admin: ApiClient,
  username: string,
  roles: string[],
  password: string,
) {
  const created = await admin.request('POST', '/api/users', { username, displayName: username, roles });
  expect(created, 201, `create ${username}`);
  const otp = created.json['oneTimePassword'] as string;
  const client = new ApiClient(admin.base);
  expect(await client.login(username, otp), 200, `${username} first login`);
  expect(
    await client.request('POST', '/api/auth/password', { currentPassword: otp, newPassword: password }),
    200,
    `${username} password change`,
  );
  const again = new ApiClient(admin.base);
  expect(await again.login(username, password), 200, `${username} login`);
  return { client: again, userId: (created.json['user'] as { id: string }).id };
}
