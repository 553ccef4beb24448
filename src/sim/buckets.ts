/** EC2 throttles per account and Region with token buckets: a burst capacity and a refill rate. */
export interface BucketSpec {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Share of the refill taken by other callers (Terraform, the console) during a storm. */
  private stolen = 0;

  constructor(
    readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.capacity;
    this.last = now;
  }

  private refill(now: number): void {
    const rate = this.spec.refillPerSecond * (1 - this.stolen);
    this.tokens = Math.min(this.spec.capacity, this.tokens + (Math.max(0, now - this.last) / 1000) * rate);
    this.last = Math.max(this.last, now);
  }

  /** True if a token was taken; false means the call is throttled. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Other callers drain the bucket and keep `share` of its refill until `storm(0)`. */
  storm(now: number, share: number): void {
    this.refill(now);
    if (share > 0) this.tokens = 0;
    this.stolen = Math.min(1, Math.max(0, share));
  }

  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }
}
