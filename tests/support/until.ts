// Polling for tests that watch something settle (a socket frame, a projection, a queue drain).

export interface PollOptions {
  /** How long before giving up (default 10 s). */
  timeoutMs?: number;
  /** Pause between polls (default 50 ms). */
  everyMs?: number;
}

/**
 * Polls `get` until it yields something other than `undefined` and returns it;
 * throws `timed out waiting for <what>` once `timeoutMs` has passed.
 */
export async function until<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  options: PollOptions = {},
): Promise<T> {
  const end = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 50));
  }
}

/** Polls `check` until it is true; throws `timed out waiting for <what>` once `timeoutMs` has passed. */
export async function untilTrue(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: PollOptions = {},
): Promise<void> {
  await until(what, async () => ((await check()) ? true : undefined), options);
}
