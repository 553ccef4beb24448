/** Test doubles for the adapter tests: a clock that records sleeps, SDK-shaped errors. */
import type { Clock } from '../../src/clock';
import { Retrier, type RetryPolicy } from '../../src/retry';

export interface RecordingClock extends Clock {
  readonly sleeps: number[];
}

/** Sleeps return at once and are recorded, so backoff can be asserted without waiting. */
export function recordingClock(start = new Date('2026-11-23T12:00:00Z')): RecordingClock {
  const sleeps: number[] = [];
  let t = start.getTime();
  return {
    sleeps,
    now: () => new Date(t),
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

export function retrier(policy?: RetryPolicy, random?: () => number): { retry: Retrier; clock: RecordingClock } {
  const clock = recordingClock();
  return { retry: new Retrier(clock, policy, random), clock };
}

/** What the SDK throws: a named error with the HTTP status in $metadata. */
export function sdkError(name: string, httpStatusCode: number, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** Deterministic pseudo-random in [0, 1), so jitter is varied yet repeatable (the simulator's PRNG). */
export { seededRandom } from '../../src/sim/random';
