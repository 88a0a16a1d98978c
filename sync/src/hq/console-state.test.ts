import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConsoleState } from './console-state.ts';
import { IpThrottle } from './ip-throttle.ts';
import { SignInLockout } from './lockout.ts';
import { OperatorSessions, sessionKey } from './sessions.ts';

let dir: string;
let state: ConsoleState;
let now: number;
const clock = () => now;

/** Closes the database and opens it again from disk, as an HQ restart does. */
async function reopen(): Promise<ConsoleState> {
  await state.close();
  state = new ConsoleState(dir);
  return state;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-state-'));
  state = new ConsoleState(dir);
  now = 0;
});

afterEach(async () => {
  await state.close();
  await rm(dir, { recursive: true, force: true });
});

describe('OperatorSessions on disk', () => {
  it('ends a session after the idle timeout counted from the stored last use, across a reopen', async () => {
    const opts = { idleMs: 1_000, maxAgeMs: 60_000, now: clock };
    let sessions = new OperatorSessions(state, opts);
    const a = await sessions.create('admin', false);
    const b = await sessions.create('admin', false);
    now = 900;
    assert.equal((await sessions.touch(a.id))?.username, 'admin');
    sessions = new OperatorSessions(await reopen(), opts);
    now = 1_800;
    const again = await sessions.touch(a.id);
    assert.equal(again?.lastSeen, 1_800, 'touched 900 ms ago, before the reopen');
    assert.equal(again?.csrfToken, a.csrfToken, 'the CSRF token survives too');
    assert.equal(await sessions.touch(b.id), undefined, 'idle for 1800 ms');
    assert.equal(await state.get(sessionKey(b.id)), undefined, 'the expired session is deleted');
    assert.equal(await sessions.touch('forged'), undefined);
    assert.equal(await sessions.touch(b.id.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))), undefined);
  });

  it('ends an active session once its absolute lifetime has passed', async () => {
    const sessions = new OperatorSessions(state, { idleMs: 1_000, maxAgeMs: 3_000, now: clock });
    const s = await sessions.create('admin', false);
    for (now = 900; now <= 2_700; now += 900) assert.ok(await sessions.touch(s.id), `alive at ${now}`);
    now = 3_600;
    assert.equal(await sessions.touch(s.id), undefined);
  });

  it('sweep() deletes expired sessions from disk and keeps live ones', async () => {
    const sessions = new OperatorSessions(state, { idleMs: 1_000, now: clock });
    const idle = await sessions.create('admin', false);
    const active = await sessions.create('analyst', false);
    now = 800;
    await sessions.touch(active.id);
    now = 1_500;
    assert.equal(await sessions.sweep(), 1);
    const left = (await state.list('session:')).map((r) => r.id);
    assert.deepEqual(left, [sessionKey(active.id)]);
    assert.notEqual(sessionKey(idle.id), sessionKey(active.id));
  });

  it('stores only the SHA-256 of the session id, and destroyFor() keeps the given session', async () => {
    const sessions = new OperatorSessions(state, { now: clock });
    const keep = await sessions.create('admin', true);
    const other = await sessions.create('admin', true);
    const analyst = await sessions.create('analyst', false);
    const stored = JSON.stringify(await state.list('session:'));
    for (const s of [keep, other, analyst]) {
      assert.equal(stored.includes(s.id), false, 'raw id stored');
      assert.equal(stored.includes(s.csrfToken), false, 'CSRF token stored');
      assert.match(sessionKey(s.id), /^session:[0-9a-f]{64}$/);
      assert.ok(stored.includes(sessionKey(s.id)), 'hashed key present');
    }
    await sessions.passwordChanged(keep);
    assert.equal(await sessions.destroyFor('admin', keep.id), 1);
    assert.equal(await sessions.touch(other.id), undefined);
    assert.equal((await sessions.touch(keep.id))?.mustChangePassword, false);
    assert.ok(await sessions.touch(analyst.id));
  });
});

describe('SignInLockout on disk', () => {
  it('keeps a lock across a reopen and lifts it once lockMs has passed', async () => {
    const opts = { maxFailures: 3, lockMs: 60_000, now: clock };
    let lockout = new SignInLockout(state, opts);
    assert.equal(await lockout.fail('analyst'), undefined);
    assert.equal(await lockout.fail('analyst'), undefined);
    lockout = new SignInLockout(await reopen(), opts);
    assert.equal(await lockout.retryAfterS('analyst'), undefined, 'two failures do not lock');
    assert.equal(await lockout.fail('analyst'), 60, 'the count survived the reopen');
    lockout = new SignInLockout(await reopen(), opts);
    now = 30_000;
    assert.equal(await lockout.retryAfterS('analyst'), 30);
    assert.equal(await lockout.retryAfterS('admin'), undefined, 'other names are not affected');
    now = 60_001;
    assert.equal(await lockout.retryAfterS('analyst'), undefined);
    assert.equal(await lockout.fail('analyst'), undefined, 'a lock that ran out starts a fresh count');
    assert.equal(
      JSON.stringify(await state.list('failures:')).includes('analyst'),
      false,
      'names are hashed',
    );
  });

  it('sweep() forgets stale counts but keeps locks and recent counts', async () => {
    const lockout = new SignInLockout(state, {
      maxFailures: 2,
      lockMs: 100_000,
      forgetMs: 10_000,
      now: clock,
    });
    await lockout.fail('typo-name');
    await lockout.fail('locked');
    await lockout.fail('locked');
    now = 5_000;
    await lockout.fail('recent');
    now = 12_000;
    assert.equal(await lockout.sweep(), 1);
    assert.equal((await state.list('failures:')).length, 2);
    assert.equal(await lockout.retryAfterS('locked'), 88);
  });
});

describe('IpThrottle', () => {
  it('refuses an address after maxFailures in a window, and not others, until the window ends', () => {
    const t = new IpThrottle({ maxFailures: 3, windowMs: 10_000, now: clock });
    for (let i = 0; i < 3; i++) {
      assert.equal(t.retryAfterS('10.0.0.1'), undefined);
      t.fail('10.0.0.1');
    }
    now = 4_000;
    assert.equal(t.retryAfterS('10.0.0.1'), 6);
    assert.equal(t.retryAfterS('10.0.0.2'), undefined);
    now = 10_000;
    assert.equal(t.retryAfterS('10.0.0.1'), undefined);
  });
});
