/**
 * Slices of the managed route tables, for quiet scheduled runs (issue 16: a steady run at 1,000
 * tables parsed 2.58 MB, almost all of it DescribeRouteTables, about 2.5 KB of XML a table, and EC2
 * has no field selection).
 *
 * A table's bucket is the last hex digit of its id (`rtb-` and 8 or 17 lowercase hex digits), so
 * every table, including one created a second ago, is in exactly one of 16 buckets, and EC2 can
 * select a bucket server-side with a wildcard filter value (`route-table-id` = `rtb-*7`; EC2 filter
 * values take `*` for zero or more characters and `?` for one, e.g. the EC2 `Filter` type in the
 * AWS SDK for .NET reference: "Wildcards can be included in filter values; * specifies that zero or
 * more characters must match, and ? specifies that exactly one character must match"). Should a
 * server not honour the wildcard, the slice read disagrees with the full read it is checked against
 * and the run reads every table (src/reconcile/tableMemory.ts): slower, never blind.
 *
 * A quiet run reads 1/k of the buckets, k a power of two so every slice is the same share; each
 * table is then re-read at least every k minutes.
 */
export const BUCKETS = 16;
/** The longest re-read period: every bucket in its own minute. */
export const MAX_RESCAN_MINUTES = BUCKETS;

const HEX = '0123456789abcdef';

/**
 * `route-table-id` values in one slice request (the wildcards, then the watched ids): half of EC2's
 * 200 filter values a request, so the managed tag and `vpc-id` values always fit beside them.
 */
export const ROUTE_TABLE_IDS_PER_REQUEST = 100;

/** The bucket of a route table id, or undefined when its last character is not a lowercase hex digit. */
export function bucketOf(routeTableId: string): number | undefined {
  const i = HEX.indexOf(routeTableId.slice(-1));
  return routeTableId.length > 0 && i >= 0 ? i : undefined;
}

/** The hex digit that names bucket `b` (0-15). */
export const bucketDigit = (b: number): string => {
  const d = HEX[b];
  if (!Number.isInteger(b) || d === undefined) throw new Error(`bucket must be 0-${BUCKETS - 1}, got ${b}`);
  return d;
};

/**
 * Minutes between two reads of the same table: 1 (read every table every run) while `tables` fit
 * in `perRun`, else the smallest power of two k with tables / k <= perRun, at most 16. `perRun` 0
 * turns slicing off.
 */
export function rescanMinutes(tables: number, perRun: number): number {
  if (perRun <= 0 || tables <= perRun) return 1;
  let k = 2;
  while (k < MAX_RESCAN_MINUTES && tables > perRun * k) k *= 2;
  return k;
}

/** The buckets read at `minute` (minutes since the epoch) when each is re-read every `k` minutes. */
export function sliceAt(minute: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > MAX_RESCAN_MINUTES || BUCKETS % k !== 0) throw new Error(`k must divide ${BUCKETS}, got ${k}`);
  const m = ((Math.floor(minute) % k) + k) % k;
  const out: number[] = [];
  for (let b = m; b < BUCKETS; b += k) out.push(b);
  return out;
}
