import type { Core } from '../compose.ts';
import { isSuiteName } from '../storage/index.ts';

/** Operator actions shared by the control socket (appliance running) and direct mode (stopped). */
export type OpName = 'user.freeze' | 'user.unfreeze' | 'keys.rotate' | 'keys.migrate_suite';

export interface OpResult {
  ok: boolean;
  message: string;
  data?: Record<string, unknown>;
}

const CLI_ACTOR = 'cli';

export async function runOp(
  core: Core,
  op: OpName,
  args: Record<string, string | undefined>,
): Promise<OpResult> {
  switch (op) {
    case 'user.freeze':
    case 'user.unfreeze': {
      const username = args['username'];
      if (!username) return { ok: false, message: 'a username is required' };
      const user = await core.identity.findUser(username);
      if (!user) return { ok: false, message: `no such user: ${username}` };
      const ctx = { actor: CLI_ACTOR, ip: 'local' };
      const done =
        op === 'user.freeze'
          ? await core.identity.freeze(user.id, {
              ...ctx,
              ...(args['reason'] ? { reason: args['reason'] } : {}),
            })
          : await core.identity.unfreeze(user.id, ctx);
      return {
        ok: true,
        message: `${username} is now ${done.status}`,
        data: { userId: user.id, status: done.status },
      };
    }
    case 'keys.rotate': {
      const rewrapped = await core.crypto.rotate();
      await core.bus.publish(
        'keys.rotated',
        { keyId: 'kek', rewrapped },
        { actor: CLI_ACTOR, source: 'local' },
      );
      return {
        ok: true,
        message: `rotated the key-encryption key; ${rewrapped} data keys rewrapped`,
        data: { rewrapped },
      };
    }
    case 'keys.migrate_suite': {
      const suite = args['suite'];
      if (!isSuiteName(suite)) return { ok: false, message: 'suite must be classic or gm' };
      const done = await core.crypto.migrateSuite(suite);
      await core.bus.publish(
        'keys.suite_migrated',
        { suite, rewritten: done.rewritten, skipped: done.skipped },
        { actor: CLI_ACTOR, source: 'local' },
      );
      return {
        ok: true,
        message: `crypto suite is now ${suite}; ${done.rewritten} documents re-encrypted in ${done.stores} stores, ${done.skipped} left (key shredded or already rewritten)`,
        data: { ...done },
      };
    }
  }
}
