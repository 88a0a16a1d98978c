import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oneTimePassword } from './account.ts';
import type { Core } from './core.ts';
import { createUser } from './users.ts';

export const INITIAL_ADMIN_FILE = 'initial-admin-password';

/**
 * On an empty user database, creates `admin` with a one-time password and
 * writes it to `<dataDir>/initial-admin-password` (0600). The file is written
 * before the user, so a crash in between just means the next start makes a new one.
 */
export async function ensureInitialAdmin(
  core: Core,
  dataDir: string,
): Promise<{ username: string; password: string; file: string } | undefined> {
  if (await core.store.hasUsers()) return undefined;
  const password = oneTimePassword();
  const file = join(dataDir, INITIAL_ADMIN_FILE);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, password + '\n', { mode: 0o600 });
  // `mode` only applies when the file is created; an old file keeps its bits otherwise.
  await chmod(file, 0o600);
  await createUser(
    core,
    { username: 'admin', displayName: 'Administrator', roles: ['admin'], password },
    { actor: 'system' },
  );
  return { username: 'admin', password, file };
}

/**
 * Deletes `<dataDir>/initial-admin-password` once `admin` has replaced the one-time
 * password (it is useless then, and a password file beside the data helps no one).
 * Returns true when a file was removed.
 */
export async function retireInitialAdminFile(core: Core, dataDir: string): Promise<boolean> {
  const admin = await core.store.findByUsername('admin');
  if (!admin || admin.mustChangePassword) return false;
  const file = join(dataDir, INITIAL_ADMIN_FILE);
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
