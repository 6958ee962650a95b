/**
 * Polling for a condition that settles asynchronously. The check may be synchronous or return a promise; its
 * settled value is what is judged: `undefined`, `false`, `null` or a rejection mean "not yet", anything else is the
 * result. A check that returns a function cannot be judged and is refused at once.
 */
export type PollOptions = { timeoutMs?: number; intervalMs?: number };

export async function pollUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  opts: PollOptions = {},
): Promise<Exclude<T, undefined | false | null>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    let value: T | undefined;
    try {
      value = await check();
      lastError = undefined;
    } catch (err) {
      value = undefined;
      lastError = err;
    }
    if (typeof value === 'function') throw new TypeError(`pollUntil(${what}): the check returned a function`);
    if (value !== undefined && value !== false && value !== null)
      return value as Exclude<T, undefined | false | null>;
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${what}: not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
