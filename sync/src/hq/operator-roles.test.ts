import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { ConsoleState } from './console-state.ts';
import { OperatorAccounts } from './operators.ts';
import { OperatorHasher } from './password.ts';

let dir: string;
let state: ConsoleState;
const hasher = new OperatorHasher();

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-roles-'));
  state = new ConsoleState(dir);
});
after(async () => {
  await state.close();
  await hasher.close();
  await rm(dir, { recursive: true, force: true });
});

it('an operator stored before roles existed has operator only; reveal is granted, kept across a password change and a reload, and revoked', async () => {
  const hash = await hasher.hash('old operator passphrase');
  const legacy = {
    hash,
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'system',
    mustChangePassword: false,
  };
  await writeFile(path.join(dir, 'operators.json'), JSON.stringify({ operators: { old: legacy } }));
  const accounts = new OperatorAccounts(dir, { hasher, state });
  assert.deepEqual((await accounts.list())[0]?.roles, ['operator']);
  assert.equal(await accounts.hasRole('old', 'reveal'), false);
  assert.equal(await accounts.hasRole('old', 'operator'), true);
  assert.equal(await accounts.setRole('old', 'reveal', true), true);
  assert.equal(await accounts.setRole('old', 'reveal', true), false, 'idempotent');
  await accounts.changePassword('old', 'old operator passphrase', 'new operator passphrase');
  const reloaded = new OperatorAccounts(dir, { hasher, state });
  assert.equal(await reloaded.hasRole('old', 'reveal'), true, 'kept on disk and across the password change');
  await assert.rejects(reloaded.setRole('old', 'operator', false), { code: 'HQ_BAD_REQUEST' });
  await assert.rejects(reloaded.setRole('nobody', 'reveal', true), { code: 'HQ_NOT_FOUND' });
  await reloaded.disable('old', 'admin');
  assert.equal(await reloaded.hasRole('old', 'reveal'), false, 'a disabled operator has no rights');
  await reloaded.enable('old');
  assert.equal(await reloaded.setRole('old', 'reveal', false), true);
  assert.equal(await reloaded.hasRole('old', 'reveal'), false);
  assert.ok(!(await readFile(path.join(dir, 'operators.json'), 'utf8')).includes('"roles"'));
});
