import { TAGS } from '../core/constants';
import { BUCKETS, bucketOf, rescanMinutes, sliceAt } from '../core/slices';
import type { RouteTable } from '../core/types';

/**
 * The managed route tables as a container last read them, so that a quiet scheduled run can read
 * only a slice of them (core/slices.ts) and take the rest from here. It lives as long as the Lambda
 * container (src/lambda/wiring.ts builds one), like the subnet cache.
 *
 * What it is trusted for, and what not (docs/how-it-decides.md, "Quiet runs"):
 * - It only ever feeds a run's decision that nothing needs doing. A run that finds anything to do,
 *   or anything unwell (src/core/quiet.ts), reads every table again and decides and writes on that
 *   fresh full read alone: no write is ever decided on a remembered table.
 * - A remembered table is at most `2k` minutes old (k the re-read period); older, the run reads
 *   everything.
 * - A slice read must agree with it: a remembered table of the slice that the read did not return,
 *   or a returned table outside the slice, means the slice read cannot be trusted (a server that
 *   ignores the wildcard, a table deleted or un-tagged): the run reads everything. Three such runs
 *   in a row turn slicing off for an hour in this container.
 * - A run that wrote anything forgets it all (the next run reads everything).
 */

/** A slice read that disagreed with memory this many runs in a row turns slicing off for a while. */
export const MAX_DISAGREEMENTS = 3;
export const SLICING_OFF_MS = 60 * 60_000;

/**
 * Tables carrying this key are read by every quiet run, wherever they are: an operator's pin
 * (written by the manual function before it invokes reconcile, or by anyone: the format is
 * documented) must be applied by the next run, not when its table's slice comes round. One value,
 * not also the legacy `pin-away-from`: moto 5.2.1 matches a multi-valued `tag-key` filter only as a
 * subset of the table's keys, where EC2 ORs the values (found in review), and a legacy pin can only
 * predate this release, so a container's first run (a full read) finds it and a pinned table is
 * never remembered.
 */
export const FLAG_TAG_KEYS: readonly string[] = [TAGS.pin];

export interface SliceRead {
  readonly slice: readonly number[];
  /** Remembered tables read by id besides the slice (see WATCHED_MAX). */
  readonly ids: readonly string[];
  readonly tagKeys: readonly string[];
  readonly rescanMinutes: number;
}

export type SlicePlan = SliceRead | { readonly full: string };
export type Merged = { readonly tables: readonly RouteTable[] } | { readonly full: string };

export class TableMemory {
  private tables: Map<string, RouteTable> | undefined;
  /** Epoch ms each bucket was last read (by a full read or its slice). */
  private readonly readAt: number[] = new Array<number>(BUCKETS).fill(0);
  private disagreements = 0;
  private offUntil = 0;
  private reported: string | undefined;

  get size(): number {
    return this.tables?.size ?? 0;
  }

  /** The remembered tables' VPCs: a slice read reads their gateways even when it holds none of their tables. */
  vpcIds(): string[] {
    return [...new Set([...(this.tables?.values() ?? [])].map((t) => t.vpcId))].sort();
  }

  /**
   * The slice a quiet run at `now` may read, or why it must read every table. `perRun` is
   * TABLES_READ_PER_RUN.
   */
  plan(now: Date, perRun: number): SlicePlan {
    const at = now.getTime();
    if (!this.tables) return { full: 'no tables remembered in this container (its first run, or the last run changed something)' };
    if (at < this.offUntil) return { full: `slice reads disagreed with full reads ${MAX_DISAGREEMENTS} times in a row; every table is read until ${new Date(this.offUntil).toISOString()}` };
    const k = rescanMinutes(this.tables.size, perRun);
    if (k === 1) return { full: `${this.tables.size} tables fit in one run (TABLES_READ_PER_RUN ${perRun})` };
    for (const id of this.tables.keys()) {
      if (bucketOf(id) === undefined) return { full: `route table id ${id.slice(0, 40)} does not end in a hex digit: it is in no slice` };
    }
    const slice = sliceAt(at / 60_000, k);
    const inSlice = new Set(slice);
    const oldest = Math.min(...this.readAt.filter((_, b) => !inSlice.has(b)));
    if (at - oldest > 2 * k * 60_000) return { full: `some tables were last read ${Math.round((at - oldest) / 60_000)} minutes ago (more than twice the ${k}-minute re-read period)` };
    const ids = this.watched(inSlice);
    // Many small VPCs (a table or two per gateway): watching them is reading most tables anyway.
    if (ids.length > perRun) return { full: `${ids.length} gateways have no table in the slice (more than TABLES_READ_PER_RUN ${perRun} to watch by id)` };
    return { slice, ids, tagKeys: FLAG_TAG_KEYS, rescanMinutes: k };
  }

  /**
   * A route's state is its target's (`blackhole`: "the route's target isn't available", EC2 API
   * reference, Route), and a blackhole is a hard signal read from the route tables themselves
   * (core/health.ts). So every gateway some remembered table routes to is watched every run: if no
   * table of the slice routes to it, the remembered table with the lowest id that does is read too.
   */
  private watched(inSlice: ReadonlySet<number>): string[] {
    const covered = new Set<string>();
    const pick = new Map<string, string>();
    for (const t of this.tables?.values() ?? []) {
      const slice = inSlice.has(bucketOf(t.id) ?? -1);
      for (const r of t.routes) {
        if (r.target.kind !== 'nat') continue;
        if (slice) covered.add(r.target.id);
        else {
          const cur = pick.get(r.target.id);
          if (cur === undefined || t.id < cur) pick.set(r.target.id, t.id);
        }
      }
    }
    return [...new Set([...pick].filter(([nat]) => !covered.has(nat)).map(([, id]) => id))].sort();
  }

  /**
   * The remembered tables with the slice's replaced by `read` (this run's read of the slice), or why
   * the read cannot be trusted. Pure: nothing is remembered until commit().
   */
  merge(plan: Pick<SliceRead, 'slice' | 'ids' | 'tagKeys'>, read: readonly RouteTable[], now: Date): Merged {
    const tables = this.tables;
    if (!tables) return { full: 'nothing remembered' };
    const inSlice = new Set(plan.slice);
    const watched = new Set(plan.ids);
    const asked = (t: RouteTable) => inSlice.has(bucketOf(t.id) ?? -1) || watched.has(t.id) || plan.tagKeys.some((k) => k in t.tags);
    const outside = read.find((t) => !asked(t));
    if (outside) return this.disagree(now, `the slice read returned ${outside.id.slice(0, 40)}, which is outside the slice`);
    const readIds = new Set(read.map((t) => t.id));
    const missing = [...tables.keys()].filter((id) => (inSlice.has(bucketOf(id) ?? -1) || watched.has(id)) && !readIds.has(id));
    if (missing.length > 0) return this.disagree(now, `${missing.length} remembered tables of the slice were not returned by its read (e.g. ${missing[0]?.slice(0, 40)}): deleted, un-tagged, or the filter was not applied`);
    const fresh = new Map(read.map((t) => [t.id, t]));
    const out: RouteTable[] = [];
    for (const [id, t] of tables) out.push(fresh.get(id) ?? t);
    for (const t of read) if (!tables.has(t.id)) out.push(t);
    return { tables: out };
  }

  /** After a quiet run: the slice's tables (and the others read) are now as read. */
  commit(slice: readonly number[], read: readonly RouteTable[], now: Date): void {
    const tables = this.tables;
    if (!tables) return;
    const inSlice = new Set(slice);
    for (const id of [...tables.keys()]) if (inSlice.has(bucketOf(id) ?? -1)) tables.delete(id);
    for (const t of read) tables.set(t.id, t);
    for (const b of slice) this.readAt[b] = now.getTime();
    this.disagreements = 0;
    // Quiet again: the next reason to read everything is news, whatever it is.
    this.reported = undefined;
  }

  /** After a full read on which nothing was written: every table as read. */
  remember(tables: readonly RouteTable[], now: Date): void {
    this.tables = new Map(tables.map((t) => [t.id, t]));
    this.readAt.fill(now.getTime());
  }

  /** After a run that wrote (or may have written) anything, and before a full read. */
  forget(): void {
    this.tables = undefined;
  }

  /**
   * Once per distinct reason, for the log: the reason a run read every table, when it is news (the
   * same kind of reason every minute is said once, until a quiet run ends the streak).
   */
  news(reason: string): boolean {
    const key = reason.replace(/\d+/g, '#');
    if (this.reported === key) return false;
    this.reported = key;
    return true;
  }

  private disagree(now: Date, why: string): Merged {
    this.disagreements++;
    if (this.disagreements >= MAX_DISAGREEMENTS) {
      this.offUntil = now.getTime() + SLICING_OFF_MS;
      this.disagreements = 0;
    }
    return { full: why };
  }
}
