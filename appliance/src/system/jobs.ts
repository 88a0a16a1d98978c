import cron from 'node-cron';
import { InvalidStateError, OutOfRangeError } from '../contracts/index.ts';
import { createLogger } from '../logging/index.ts';

const log = createLogger('jobs');

// node-cron logs to the console by default; route it through ours.
const cronLogger = {
  info: (m: string) => log.debug(m),
  warn: (m: string) => log.warn(m),
  error: (m: string | Error, e?: Error) => log.error(String(m), { error: e }),
  debug: (m: string | Error) => log.debug(String(m)),
};

export type JobFn = () => Promise<void> | void;
export type RunOutcome = 'done' | 'failed' | 'skipped';

interface Job {
  task?: ReturnType<typeof cron.schedule>;
  running: Promise<RunOutcome> | undefined;
  fn: JobFn;
}

export interface SchedulerOptions {
  /** IANA time zone for cron expressions; default the host's. */
  timezone?: string;
}

/**
 * Named cron jobs (backups, retention, checkpoints, certificate expiry). A job never
 * overlaps itself: a tick that finds the previous run busy is skipped and logged.
 * Failures are logged, never thrown into the timer.
 * @example
 * const jobs = createScheduler();
 * jobs.schedule('backup', '0 3 * * *', () => createBackup(dataDir).then(() => {}));
 * await jobs.close();
 */
export function createScheduler(options: SchedulerOptions = {}) {
  const jobs = new Map<string, Job>();
  let closed: Promise<void> | undefined;

  function run(name: string, job: Job): Promise<RunOutcome> {
    if (job.running) {
      log.warn(`job still running, tick skipped [job:${name}]`);
      return Promise.resolve('skipped');
    }
    const started = Date.now();
    const attempt = (async (): Promise<RunOutcome> => {
      try {
        await job.fn();
        log.debug(`job done [job:${name}]`, { ms: Date.now() - started });
        return 'done';
      } catch (err) {
        log.error(`job failed [job:${name}]`, { error: err });
        return 'failed';
      }
    })();
    // Cleared after the assignment below, even when fn() throws synchronously.
    job.running = attempt.finally(() => {
      job.running = undefined;
    });
    return job.running;
  }

  return {
    schedule(name: string, cronExpr: string, fn: JobFn): void {
      if (closed) throw new InvalidStateError('Cannot schedule: scheduler is closed');
      if (jobs.has(name)) throw new InvalidStateError(`Cannot schedule: job ${name} already exists`);
      if (!cron.validate(cronExpr))
        throw new OutOfRangeError(
          'SYSTEM_INVALID_JOB',
          `Cannot schedule ${name}: bad cron expression ${cronExpr}`,
        );
      const job: Job = { running: undefined, fn };
      job.task = cron.schedule(cronExpr, () => run(name, job).then(() => {}), {
        name,
        logger: cronLogger,
        ...(options.timezone ? { timezone: options.timezone } : {}),
      });
      jobs.set(name, job);
    },

    /** Runs a job now under the same no-overlap rule (admin "run now", tests). */
    runNow(name: string): Promise<RunOutcome> {
      const job = jobs.get(name);
      if (!job)
        return Promise.reject(new OutOfRangeError('SYSTEM_INVALID_JOB', `Cannot run: no job named ${name}`));
      if (closed) return Promise.reject(new InvalidStateError('Cannot run: scheduler is closed'));
      return run(name, job);
    },

    names(): string[] {
      return [...jobs.keys()];
    },

    /** Stops every task and waits for runs in progress. Idempotent. */
    close(): Promise<void> {
      closed ??= (async () => {
        const all = [...jobs.values()];
        await Promise.all(all.map((j) => j.task?.destroy()));
        await Promise.all(all.map((j) => j.running));
      })();
      return closed;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
