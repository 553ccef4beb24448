/**
 * Subnet → AZ, remembered across warm invocations (the adapter lives as long as the Lambda
 * container). A subnet's AZ is fixed when it is created ("Each subnet must reside entirely within
 * one Availability Zone and cannot span zones", Amazon VPC User Guide, "Subnets for your VPC"), and a
 * subnet deleted and created again gets a new id, so an entry can never become wrong, only unused.
 * Re-describing every subnet of every managed VPC each minute was the largest response after the
 * route tables (1.6 MB of 4.2 MB at 1,000 tables, bench `steady.realSdk`).
 *
 * Rules:
 * - a full read (DescribeSubnets by VPC, as before) on the first run of a container and then every
 *   `refreshMs`: it replaces the whole cache, so subnets deleted meanwhile are dropped;
 * - between full reads, only subnets never seen are described (by `subnet-id` filter);
 * - after each run the cache keeps only the subnets that run referenced (tables' associations and
 *   gateways' subnets): a disassociated or deleted subnet is dropped at once;
 * - at most `maxEntries` are kept; beyond it the rest are described each run (correct, just not
 *   cached), so memory stays bounded in any account.
 */

/** Full re-read of the subnets after this long, whatever the cache holds. */
export const SUBNET_CACHE_REFRESH_MS = 60 * 60_000;
/** About 100 bytes an entry: 50,000 entries are ~5 MB of a 256 MB function. */
export const SUBNET_CACHE_MAX_ENTRIES = 50_000;

export class SubnetAzCache {
  private azs = new Map<string, string>();
  private fullReadAt: number | undefined;

  constructor(
    private readonly now: () => number = Date.now,
    readonly maxEntries: number = SUBNET_CACHE_MAX_ENTRIES,
    readonly refreshMs: number = SUBNET_CACHE_REFRESH_MS,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new Error(`maxEntries must be a whole number >= 0, got ${maxEntries}`);
  }

  get size(): number {
    return this.azs.size;
  }

  /** True on a container's first run and once `refreshMs` has passed since the last full read. */
  fullReadDue(): boolean {
    return this.fullReadAt === undefined || this.now() - this.fullReadAt >= this.refreshMs;
  }

  /** The ids of `subnetIds` this cache does not know (each once, in order). */
  unknown(subnetIds: Iterable<string>): string[] {
    return [...new Set(subnetIds)].filter((id) => !this.azs.has(id));
  }

  get(subnetId: string): string | undefined {
    return this.azs.get(subnetId);
  }

  /**
   * Ends a run: `read` is what this run's DescribeSubnets returned (everything on a full read), and
   * the cache becomes the AZs of `referenced` known either way (plus what it held, with
   * `keepOthers`), bounded by maxEntries. Returns the
   * AZ of every referenced subnet known, for this run.
   */
  settle(referenced: Iterable<string>, read: ReadonlyMap<string, string>, fullRead: boolean, keepOthers = false): Map<string, string> {
    const known = new Map<string, string>();
    for (const id of new Set(referenced)) {
      const az = read.get(id) ?? (fullRead ? undefined : this.azs.get(id));
      if (az !== undefined) known.set(id, az);
    }
    if (fullRead) this.fullReadAt = this.now();
    // `keepOthers`: a run that read only some tables (a quiet run's slice) references only their
    // subnets; the rest are still in use by the tables it did not read.
    const kept = keepOthers ? new Map([...this.azs, ...known]) : known;
    this.azs = kept.size <= this.maxEntries ? new Map(kept) : new Map([...kept].slice(0, this.maxEntries));
    return known;
  }
}
