import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidStateError } from '../contracts/index.ts';
import { setLogSink } from '../logging/index.ts';
import { createScheduler } from './index.ts';

test('schedule() runs a job on its cron tick and close() stops further runs', async () => {
  const jobs = createScheduler();
  let runs = 0;
  jobs.schedule('tick', '* * * * * *', () => {
    runs++;
  });
  const deadline = Date.now() + 3000;
  while (runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(runs >= 1, 'ran within 3 s');
  await jobs.close();
  const after = runs;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(runs, after);
});

test('a job never overlaps itself: a second run while busy is skipped', async () => {
  const jobs = createScheduler();
  let active = 0;
  let maxActive = 0;
  let release!: () => void;
  jobs.schedule('slow', '0 0 1 1 *', async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((r) => {
      release = r;
    });
    active--;
  });
  const first = jobs.runNow('slow');
  assert.equal(await jobs.runNow('slow'), 'skipped');
  release();
  assert.equal(await first, 'done');
  assert.equal(maxActive, 1);
  await jobs.close();
});

test('a failing job is logged and reported, and the scheduler keeps going', async () => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  const jobs = createScheduler();
  let calls = 0;
  jobs.schedule('flaky', '0 0 1 1 *', () => {
    calls++;
    if (calls === 1) throw new Error('disk full');
  });
  assert.equal(await jobs.runNow('flaky'), 'failed');
  assert.equal(await jobs.runNow('flaky'), 'done');
  assert.ok(lines.some((l) => l.includes('job failed [job:flaky]') && l.includes('disk full')));
  await jobs.close();
  setLogSink((l) => process.stderr.write(l + '\n'));
});

test('schedule() rejects bad cron, duplicate names and use after close(); close() is idempotent and waits', async () => {
  const jobs = createScheduler();
  assert.throws(() => jobs.schedule('bad', 'not cron', () => {}), RangeError);
  jobs.schedule('a', '0 3 * * *', () => {});
  assert.throws(() => jobs.schedule('a', '0 3 * * *', () => {}), InvalidStateError);
  let finished = false;
  jobs.schedule('b', '0 0 1 1 *', () =>
    new Promise<void>((r) => setTimeout(r, 100)).then(() => {
      finished = true;
    }),
  );
  void jobs.runNow('b');
  await Promise.all([jobs.close(), jobs.close()]);
  assert.equal(finished, true, 'close() waited for the running job');
  assert.throws(() => jobs.schedule('c', '0 3 * * *', () => {}), InvalidStateError);
  await assert.rejects(jobs.runNow('a'), InvalidStateError);
});
