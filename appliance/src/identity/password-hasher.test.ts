import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PasswordHasher, passwordProblem } from './password-hasher.ts';
import { Semaphore } from './semaphore.ts';

const hasher = new PasswordHasher();
after(() => hasher.close());

test('hash() produces argon2id with t=2 and 64 MiB that verify() accepts only for the right password', async () => {
  const hash = await hasher.hash('correct horse battery');
  assert.match(hash, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
  assert.equal(await hasher.verify(hash, 'correct horse battery'), true);
  assert.equal(await hasher.verify(hash, 'correct horse batterY'), false);
  assert.equal(await hasher.verifyDummy('anything'), false);
});

test('the in-thread mode gives the same results as the worker threads', async () => {
  const inline = new PasswordHasher({ threads: false });
  try {
    const hash = await hasher.hash('same on both paths');
    assert.equal(await inline.verify(hash, 'same on both paths'), true);
  } finally {
    await inline.close();
  }
  await assert.rejects(inline.hash('closed now'), { name: 'InvalidStateError' });
});

test('the hasher refuses parameters below t=2 or 64 MiB', () => {
  assert.throws(() => new PasswordHasher({ opslimit: 1 }), RangeError);
  assert.throws(() => new PasswordHasher({ memlimit: 32 * 1024 * 1024 }), RangeError);
});

test('Semaphore runs at most its permits at once and queues the rest in order', async () => {
  const sem = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const job = (i: number) =>
    sem.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running--;
    });
  const all = Promise.all([0, 1, 2, 3, 4].map(job));
  assert.equal(sem.waiting, 3);
  await all;
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

test('passwordProblem() requires 12 characters and refuses the username', () => {
  assert.match(passwordProblem('short', 'ann') ?? '', /12/);
  assert.match(passwordProblem('Ann.Ann.Ann.', 'ann.ann.ann.') ?? '', /username/);
  assert.equal(passwordProblem('a perfectly fine phrase', 'ann'), undefined);
});
