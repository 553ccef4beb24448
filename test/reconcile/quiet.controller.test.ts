/**
 * Quiet scheduled runs through the whole loop on the in-memory region (issue 16, item 3): what a
 * run reads, and that everything it writes is decided on a read of every table.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { pinValue } from '../../src/core/state';
import { bucketOf } from '../../src/core/slices';
import { reconcile, type RunOptions } from '../../src/reconcile/controller';
import { type Recorder, type SignalSource, silentRecorder, type TableSlice } from '../../src/reconcile/ports';
import { TableMemory } from '../../src/reconcile/tableMemory';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const T0 = new Date('2026-11-29T12:00:30Z');
const config: Config = { ...DEFAULTS, tablesReadPerRun: 250 };
const AZS = ['a', 'b', 'c'] as const;
const idOf = (i: number) => `rtb-${i.toString(16).padStart(17, '0')}`;

function region(count = 1000) {
  const cloud = new MemoryCloud(ZONES, AZS.map((z) => nat(`nat-${z}`, `us-east-1${z}`)));
  for (let i = 0; i < count; i++) {
    const z = AZS[i % 3] as string;
    cloud.addTable(managedTable(idOf(i), `us-east-1${z}`, `nat-${z}`));
  }
  const logs: { message: string; data?: Record<string, unknown> }[] = [];
  const recorder: Recorder = { info: (message, data) => logs.push({ message, ...(data ? { data } : {}) }), warn() {}, error() {}, count() {} };
  const tables = new TableMemory();
  let minute = 0;
  const run = async (opts: RunOptions = { trigger: 'schedule' }) => {
    const now = new Date(T0.getTime() + minute++ * 60_000);
    const before = cloud.calls.length;
    const report = await reconcile({ cloud, clock: { now: () => now, sleep: async () => {} }, recorder, tables }, config, opts);
    const calls = cloud.calls.slice(before);
    const reads = calls.filter((c) => c.op === 'readInventory').map((c) => c.args[1] as TableSlice | undefined);
    const writes = calls.filter((c) => c.op === 'replaceRoute' || c.op === 'createTags' || c.op === 'deleteTags').length;
    return { report, reads, writes };
  };
  /** The first runs of a container: tags written, then a full read with nothing to do. */
  const settle = async () => {
    await run();
    const second = await run();
    expect(second.report.plan.actions).toEqual([]);
  };
  return { cloud, run, settle, logs, tables };
}

describe('a quiet scheduled run', () => {
  it('reads a quarter of 1,000 tables (one DescribeRouteTables with the slice), remembers the rest, and writes nothing', async () => {
    const r = region();
    await r.settle();
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const { report, reads, writes } = await r.run();
      expect(reads).toHaveLength(1);
      const slice = reads[0];
      expect(slice?.buckets).toHaveLength(4);
      expect(slice?.vpcIds).toEqual(['vpc-11111111']);
      for (const b of slice?.buckets ?? []) seen.add(b);
      expect(report.quiet).toMatchObject({ rescanMinutes: 4, tables: 1000 });
      expect(report.quiet?.tablesRead).toBe([...r.cloud.tables.keys()].filter((id) => slice?.buckets.includes(bucketOf(id) ?? -1)).length);
      // The decision still covers every table (the rest remembered).
      expect(report.plan.tables).toHaveLength(1000);
      expect(report.plan.actions).toEqual([]);
      expect(writes).toBe(0);
    }
    expect(seen.size).toBe(16);
    expect(r.logs.filter((l) => l.message === 'plan').at(-1)?.data?.routeTablesRead).toMatch(/^\d+ of 1000 \(quiet run/);
  });

  it('a gateway failing between quiet runs: the next run reads every table and fails over every table of the AZ in that run, remembered or not', async () => {
    const r = region();
    await r.settle();
    await r.run();
    r.cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const { report, reads } = await r.run();
    // The slice first (cheap), then, the gateway being unwell, every table.
    expect(reads.map((s) => (s ? 'slice' : 'all'))).toEqual(['slice', 'all', 'all']);
    expect(report.quiet).toBeUndefined();
    const homedOnA = [...r.cloud.tables.values()].filter((t) => t.tags[TAGS.homeNat] === 'nat-a');
    expect(homedOnA).toHaveLength(334);
    for (const t of homedOnA) expect(['nat-b', 'nat-c']).toContain(r.cloud.target(t.id, '0.0.0.0/0'));
    expect(r.logs.some((l) => l.message === 'reading every route table this run' && /gateway nat-a is failed/.test(String(l.data?.reason)))).toBe(true);
    // While tables are away, no run reads a slice it would throw away: one full read a run.
    for (let i = 0; i < 3; i++) expect((await r.run()).reads).toEqual([undefined]);
  });

  it('drift by another writer onto a healthy gateway is taken up once its slice comes round (within 4 runs), on a full read', async () => {
    const r = region();
    await r.settle();
    const first = await r.run();
    // A table of AZ a outside the slice just read: the next quiet runs do not see it at once.
    const drifted = [...r.cloud.tables.keys()].find((id, i) => i % 3 === 0 && !first.reads[0]?.buckets.includes(bucketOf(id) ?? -1)) as string;
    const tag = (r.cloud.tables.get(drifted) as { routes: { destination: string; target: { kind: 'nat'; id: string } }[] }).routes;
    tag[0] = { ...tag[0], destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-b' } } as (typeof tag)[0];
    let repairedAfter: number | undefined;
    for (let i = 1; i <= 4 && repairedAfter === undefined; i++) {
      const { report, writes } = await r.run();
      if (writes > 0) {
        expect(report.quiet).toBeUndefined();
        repairedAfter = i;
      } else expect(report.quiet).toBeDefined();
    }
    expect(repairedAfter).toBeDefined();
    // As with every table read every minute: a person's move is adopted as failed over (planner.ts,
    // 'external-change'), and from then on every run reads every table until it is home again.
    expect(r.cloud.tagsOf(drifted)).toMatchObject({ [TAGS.state]: 'failed-over', [TAGS.homeNat]: 'nat-a' });
    expect((await r.run()).reads).toContain(undefined);
  });

  it('routes to an available gateway turn blackhole: the next run fails its tables over, even when none of them is in the slice (found in review)', async () => {
    // One big VPC (1,000 tables) and a small one: its own three gateways, one table per AZ (k = 8).
    const r = region();
    const vpc2 = (n: ReturnType<typeof nat>) => ({ ...n, vpcId: 'vpc-22222222' });
    r.cloud.nats = [...r.cloud.nats, ...AZS.map((z) => vpc2(nat(`nat-2${z}`, `us-east-1${z}`)))];
    const small = ['rtb-2000000000000000a', 'rtb-2000000000000000b', 'rtb-2000000000000000c'];
    AZS.forEach((z, i) => r.cloud.addTable({ ...managedTable(small[i] as string, `us-east-1${z}`, `nat-2${z}`), vpcId: 'vpc-22222222' }));
    await r.settle();
    // Quiet runs until one has read rtb-…a's bucket (10): the next slices do not hold it.
    for (;;) {
      const q = await r.run();
      expect(q.report.quiet).toMatchObject({ rescanMinutes: 8 });
      if ((q.reads[0]?.buckets ?? []).includes(10)) break;
    }
    const next = await r.run();
    // nat-2a's only table is watched by id: the slice read asks for it.
    expect(next.reads[0]?.ids).toContain(small[0]);
    // nat-2a still says available; every route to it is now blackhole.
    const t = r.cloud.tables.get(small[0] as string);
    if (t) t.routes = t.routes.map((x) => (x.target.id === 'nat-2a' ? { ...x, state: 'blackhole' as const } : x));
    const after = await r.run();
    expect(after.report.quiet).toBeUndefined();
    expect(['nat-2b', 'nat-2c']).toContain(r.cloud.target(small[0] as string, '0.0.0.0/0'));
  });

  it('a pin written without its reconcile invoke (the invoke failed, or an IaC tag) is applied by the next scheduled run, wherever its table is (found in review)', async () => {
    const r = region();
    await r.settle();
    const first = await r.run();
    expect(first.report.quiet).toBeDefined();
    // A table of AZ a read by the slice three runs from now.
    const last = new Set((first.reads[0]?.buckets ?? []).map((b) => (b + 3) % 16));
    const pinned = [...r.cloud.tables.keys()].find((id, i) => i % 3 === 0 && last.has(bucketOf(id) ?? -1)) as string;
    // What the manual function's failover writes before it invokes reconcile.
    const t = r.cloud.tables.get(pinned);
    if (t) t.tags[TAGS.pin] = pinValue({ awayFromAz: 'use1-az1', by: 'alice', reason: 'AZ a is slow', target: undefined, until: undefined });
    const next = await r.run();
    expect(next.reads[0]?.tagKeys).toContain(TAGS.pin);
    expect(next.report.quiet).toBeUndefined();
    expect(['nat-b', 'nat-c']).toContain(r.cloud.target(pinned, '0.0.0.0/0'));
  });

  it('a run whose quiet attempt finds trouble lists the managed alarms once: the full read reuses the attempt\'s DescribeAlarms', async () => {
    const cloud = new MemoryCloud(ZONES, AZS.map((z) => nat(`nat-${z}`, `us-east-1${z}`)));
    for (let i = 0; i < 1000; i++) cloud.addTable(managedTable(idOf(i), `us-east-1${AZS[i % 3] as string}`, `nat-${AZS[i % 3] as string}`));
    let listings = 0;
    const signals: SignalSource = {
      prefetch: () => {
        listings++;
        return { alarmListing: Promise.resolve({ alarms: [] }) };
      },
      read: async () => ({ evacuations: [], alarms: [] }),
    };
    const tables = new TableMemory();
    let minute = 0;
    const run = () => {
      const now = new Date(T0.getTime() + minute++ * 60_000);
      return reconcile({ cloud, clock: { now: () => now, sleep: async () => {} }, recorder: silentRecorder, signals, tables }, config, { trigger: 'schedule' });
    };
    await run();
    await run();
    expect((await run()).quiet).toBeDefined();
    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const before = listings;
    const report = await run();
    expect(report.quiet).toBeUndefined();
    // One listing for the quiet attempt and the full read it led to, one for the verify after the writes.
    expect(listings - before).toBe(2);
  });

  it('a table deleted meanwhile: the slice read disagrees with memory, so the run reads every table', async () => {
    const r = region();
    await r.settle();
    const { reads } = await r.run();
    const next = (reads[0]?.buckets ?? []).map((b) => (b + 1) % 16);
    const gone = [...r.cloud.tables.keys()].find((id) => next.includes(bucketOf(id) ?? -1)) as string;
    r.cloud.tables.delete(gone);
    const after = await r.run();
    expect(after.reads.map((s) => (s ? 'slice' : 'all'))).toEqual(['slice', 'all']);
    expect(after.report.plan.tables).toHaveLength(999);
    expect(r.logs.some((l) => /were not returned by its read/.test(String(l.data?.reason)))).toBe(true);
    // Remembered again from that full read: the next run is quiet.
    expect((await r.run()).report.quiet).toBeDefined();
  });

  it('only a plain scheduled run is quiet: events, operators, continuations and dry runs read every table', async () => {
    const r = region();
    await r.settle();
    for (const opts of [{ trigger: 'alarm', forceMetrics: true }, { trigger: 'continuation' }, { trigger: 'schedule', dryRun: true }, { trigger: 'manual:plan', forceMetrics: true, dryRun: true }] as RunOptions[]) {
      const { reads, report } = await r.run(opts);
      expect(reads).toEqual([undefined]);
      expect(report.quiet).toBeUndefined();
    }
  });

  it('up to 250 tables every run reads every table, as before', async () => {
    const r = region(250);
    await r.settle();
    for (let i = 0; i < 3; i++) expect((await r.run()).reads).toEqual([undefined]);
  });
});
