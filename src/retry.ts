import type { Clock } from './clock';
import { isRetryable, ThrottledError } from './errors';
import type { WritePacers } from './pacer';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** EC2 asks callers to back off exponentially with jitter on RequestLimitExceeded. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * Time kept free before a deadline: after giving up on a call the run still reports, records
 * metrics and notifies, and those calls must fit too.
 */
export const DEADLINE_MARGIN_MS = 5_000;

export interface RetryOptions {
  /**
   * Epoch ms by which the caller must be done (a Lambda's timeout), read before every backoff;
   * undefined means no deadline (the simulator, the CLI).
   */
  readonly deadline?: () => number | undefined;
  /** Default DEADLINE_MARGIN_MS. */
  readonly marginMs?: number;
  /**
   * Meters EC2 writes (PACED_OPERATIONS): every attempt takes a token first, a throttled attempt
   * shrinks the local rate, an accepted one grows it back. Undefined: no pacing (the backoff alone).
   */
  readonly pacer?: WritePacers;
  /**
   * Which failures are worth another attempt; default isRetryable (throttled or transient). The
   * CLI narrows it: an operator at a terminal with a wrong region or endpoint wants one clear
   * error now, not the same DNS failure eight times over ~20 s (see src/cli/failure.ts).
   */
  readonly retryable?: (e: unknown) => boolean;
}

export interface RetryStats {
  calls: number;
  retries: number;
  byOperation: Record<string, number>;
}

/**
 * Runs API calls with full-jitter exponential backoff on throttling and transient faults, and
 * counts every attempt (the benchmark's "API calls per run" is this count).
 */
export class Retrier {
  readonly stats: RetryStats = { calls: 0, retries: 0, byOperation: {} };

  constructor(
    private readonly clock: Clock,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly random: () => number = Math.random,
    private readonly options: RetryOptions = {},
  ) {}

  /** The EC2 write pacer, if this Retrier meters writes. */
  get pacer(): WritePacers | undefined {
    return this.options.pacer;
  }

  async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const pacer = this.options.pacer?.for(operation);
    for (let attempt = 1; ; attempt++) {
      // The token comes before the count: a paced wait is not an API call.
      if (pacer) await pacer.take();
      this.stats.calls++;
      this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
      try {
        const out = await call();
        pacer?.accepted();
        return out;
      } catch (e) {
        // The backoff below is unchanged (EC2 asks for it); the pacer also slows every other writer.
        if (pacer && e instanceof ThrottledError) pacer.throttled();
        if (!(this.options.retryable ?? isRetryable)(e) || attempt >= this.policy.maxAttempts) throw e;
        const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.round(this.random() * ceiling);
        // Eight attempts can sleep ~22 s on one call; a Lambda that times out half-way is safe (the
        // next run completes it) but late. Rather than sleep into the deadline's margin, give up
        // now with the call's own error, like running out of attempts.
        const deadline = this.options.deadline?.();
        const paced = pacer ? Math.max(0, pacer.readyAt() - this.clock.now().getTime()) : 0;
        if (deadline !== undefined && this.clock.now().getTime() + delay + paced > deadline - (this.options.marginMs ?? DEADLINE_MARGIN_MS)) throw e;
        this.stats.retries++;
        await this.clock.sleep(delay);
      }
    }
  }

  reset(): void {
    this.stats.calls = 0;
    this.stats.retries = 0;
    this.stats.byOperation = {};
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
