import type { Clock } from '../../agent/index.ts';

/**
 * Waits for `work` at most `timeoutMs` on `clock`.
 * @returns true when `work` settled in time (a rejection counts as settled), false at the bound
 */
export async function within(clock: Clock, timeoutMs: number, work: Promise<unknown>): Promise<boolean> {
  let deadline: { cancel(): void } | undefined;
  // The clock's timers are unref'd; this real one is ref'd on purpose (and cleared): the host
  // awaits the result, so it must settle even when only unref'd work (a backoff wait) is pending.
  // It holds the process for at most `timeoutMs`.
  // (Node's timers stop at 2^31 - 1 ms, about 24.8 days; past it they would fire at once.)
  const keepAlive = setTimeout(() => {}, Math.min(timeoutMs, 2 ** 31 - 1));
  const expired = new Promise<false>((resolve) => {
    deadline = clock.after(timeoutMs, () => resolve(false));
  });
  const done = work.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([done, expired]);
  } finally {
    deadline?.cancel();
    clearTimeout(keepAlive);
  }
}
