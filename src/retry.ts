import type { Clock } from './clock';
import { isRetryable } from './errors';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** EC2 asks callers to back off exponentially with jitter on RequestLimitExceeded. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 };

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
  ) {}

  async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.stats.calls++;
      this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
      try {
        return await call();
      } catch (e) {
        if (!isRetryable(e) || attempt >= this.policy.maxAttempts) throw e;
        this.stats.retries++;
        const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
        await this.clock.sleep(Math.round(this.random() * ceiling));
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
  const out: R[] = new Array(items.length);
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
