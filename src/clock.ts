/** Time as a dependency, so the simulated region can run an hour of outage in milliseconds. */
export interface Clock {
  now(): Date;
  /**
   * Resolves after `ms`. An aborted `signal` resolves it at once and drops its timer: a timeout
   * that lost its race (src/reconcile/wrapUp.ts) must neither keep a real process alive nor make
   * a virtual clock jump to a wake-up nobody waits for. Clocks may ignore the signal.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    }),
};
