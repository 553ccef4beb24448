import type { Clock } from './clock';

/** A token bucket: `burst` tokens at most, refilled at `perSecond`. */
export interface WriteBudget {
  readonly burst: number;
  readonly perSecond: number;
}

/**
 * EC2's documented bucket for mutating actions: 200 tokens, refilled at 5 a second, per account
 * and Region ("Request throttling for the Amazon EC2 API", EC2 developer guide, "Request token
 * limits"). EC2 evaluates each API on its own bucket ("each API is evaluated individually … requests
 * to other APIs are not affected"), so ReplaceRoute, CreateTags and DeleteTags each get one.
 * Terraform, the console and every other caller of the account draw on the same buckets, and an
 * account may have had them raised: hence EC2_WRITE_BURST / EC2_WRITE_RATE.
 */
export const EC2_MUTATING_BUDGET: WriteBudget = { burst: 200, perSecond: 5 };

/** The EC2 operations the pacer meters (the controller's only EC2 writes). */
export const PACED_OPERATIONS: ReadonlySet<string> = new Set(['ReplaceRoute', 'CreateTags', 'DeleteTags']);

/** After RequestLimitExceeded the local rate halves, never below this share of the configured rate. */
export const MIN_RATE_SHARE = 0.05;
/** Every accepted write gives back this share of the configured rate (additive increase). */
export const RATE_STEP_SHARE = 0.05;

/**
 * A client-side token bucket for EC2 writes, sized to EC2's own bucket so a large evacuation goes
 * as fast as EC2 allows and no faster: a throttled call costs a round trip, a backoff sleep and,
 * after eight attempts, a failed change (src/retry.ts), while a paced one costs nothing but the
 * wait EC2 would impose anyway.
 *
 * Others share the account's bucket, so the local one adapts, AIMD-like: a RequestLimitExceeded
 * empties it and halves its refill rate (the real bucket is empty and someone else is drawing on
 * it); every accepted write adds back a step of the configured rate until it is reached again.
 *
 * Reservations: a caller that finds no token takes one on credit (the level goes negative) and
 * sleeps until the refill covers it, so concurrent writers queue in arrival order and a burst of
 * `WRITE_CONCURRENCY` workers never overdraws the bucket.
 */
export class WritePacer {
  private tokens: number;
  private last: number;
  private rate: number;
  /** Throttles reported, for the logs and the benchmark. */
  throttles = 0;

  constructor(
    private readonly clock: Clock,
    readonly budget: WriteBudget = EC2_MUTATING_BUDGET,
  ) {
    this.tokens = budget.burst;
    this.last = clock.now().getTime();
    this.rate = budget.perSecond;
  }

  /** The current local refill rate (tokens a second). */
  get currentRate(): number {
    return this.rate;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.budget.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate);
    this.last = Math.max(this.last, now);
  }

  /** Epoch ms at which a write started now would get its token (now when one is there). */
  readyAt(): number {
    const now = this.clock.now().getTime();
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Takes a token, waiting for the refill when there is none. */
  async take(): Promise<void> {
    const now = this.clock.now().getTime();
    this.refill(now);
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    await this.clock.sleep(Math.ceil((-this.tokens / this.rate) * 1000));
  }

  /** EC2 said RequestLimitExceeded: its bucket is empty and someone else is drawing on it. */
  throttled(): void {
    this.refill(this.clock.now().getTime());
    this.throttles++;
    this.rate = Math.max(this.budget.perSecond * MIN_RATE_SHARE, this.rate / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** EC2 accepted a write: creep back towards the configured rate. */
  accepted(): void {
    if (this.rate >= this.budget.perSecond) return;
    this.refill(this.clock.now().getTime());
    this.rate = Math.min(this.budget.perSecond, this.rate + this.budget.perSecond * RATE_STEP_SHARE);
  }
}

/**
 * One WritePacer per EC2 write action, as EC2 keeps one bucket per action: the state tags of an
 * evacuation (CreateTags) never take a token a ReplaceRoute needed.
 */
export class WritePacers {
  private readonly byOperation = new Map<string, WritePacer>();

  constructor(
    private readonly clock: Clock,
    readonly budget: WriteBudget = EC2_MUTATING_BUDGET,
  ) {}

  /** The pacer of a metered operation; undefined for the rest (reads are not metered). */
  for(operation: string): WritePacer | undefined {
    if (!PACED_OPERATIONS.has(operation)) return undefined;
    let p = this.byOperation.get(operation);
    if (!p) this.byOperation.set(operation, (p = new WritePacer(this.clock, this.budget)));
    return p;
  }

  /** When the next ReplaceRoute would start: what act() checks against the deadline. */
  readyAt(): number {
    return (this.for('ReplaceRoute') as WritePacer).readyAt();
  }

  /** Throttles EC2 answered, over every action. */
  get throttles(): number {
    return [...this.byOperation.values()].reduce((n, p) => n + p.throttles, 0);
  }
}
