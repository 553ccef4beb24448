/**
 * Issue 16 item 2: a run never outlives its invocation. Near the deadline it stops starting route
 * writes, records what it did (state tags of every table it moved), reports the rest `deferred`
 * and asks for a continuation, which finishes the job at once. Time is a fake clock: each write
 * costs `writeMs` of it.
 */
import fc from 'fast-check';
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { CAS_READ_CHUNK, reconcile, VERIFY_SKIPPED, WRAP_UP_MS } from '../../src/reconcile/controller';
import { continueIfUnfinished, MAX_CHAIN, type ContinuationPayload } from '../../src/reconcile/continuation';
import { notificationFor } from '../../src/reconcile/notification';
import { silentRecorder } from '../../src/reconcile/ports';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const V4 = '0.0.0.0/0';
const V6 = '64:ff9b::/96';

function fakeClock(start = Date.parse('2026-11-23T12:00:30Z')) {
  let t = start;
  // A timed race (wrapUp.ts settleBy sleeps with a signal): the in-memory work, all microtasks,
  // settles first, as work inside its time does; the lost sleep is aborted and moves no time.
  const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal) {
      await new Promise((r) => setTimeout(r, 0));
      if (signal.aborted) return;
    }
    t += ms;
  };
  return { now: () => new Date(t), sleep, advance: (ms: number) => void (t += ms), ms: () => t };
}

/** `n` tables at home on nat-a (recorded), then nat-a is deleted; every write costs `writeMs`. */
async function deadAz(n: number, writeMs: number, config: Config) {
  const clock = fakeClock();
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  for (let i = 0; i < n; i++) cloud.addTable(managedTable(`rtb-a${String(i).padStart(4, '0')}`, 'us-east-1a', 'nat-a'));
  await reconcile({ cloud, clock, recorder: silentRecorder }, config);
  cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
  const starts: number[] = [];
  const replace = cloud.replaceRoute.bind(cloud);
  cloud.replaceRoute = async (id, dest, to) => {
    starts.push(clock.ms());
    clock.advance(writeMs);
    return replace(id, dest, to);
  };
  return { clock, cloud, starts };
}

const config: Config = { ...DEFAULTS, writeConcurrency: 1 };

describe('the invocation deadline', () => {
  it('stops starting writes WRAP_UP_MS before it, tags every table it moved, defers the rest whole, and asks to continue', async () => {
    // Prepare: 30 tables, 1 s per write (IPv4 + NAT64 = 2 s a table), 10.5 s of writing time.
    const { clock, cloud, starts } = await deadAz(30, 1_000, config);
    const deadline = clock.ms() + WRAP_UP_MS + 10_500;

    // Act
    const report = await reconcile({ cloud, clock, recorder: silentRecorder, deadline: () => deadline }, config);

    // Assess: no write started inside the wrap-up time; whole tables only.
    expect(Math.max(...starts)).toBeLessThanOrEqual(deadline - WRAP_UP_MS + 1_000);
    const applied = report.results.filter((r) => r.status === 'applied' && r.action.routes.length > 0).map((r) => r.action.routeTableId);
    const deferred = report.results.filter((r) => r.status === 'deferred').map((r) => r.action.routeTableId);
    expect(applied.length).toBeGreaterThan(0);
    expect(deferred.length).toBeGreaterThan(0);
    expect(applied.length + deferred.length).toBe(30);
    expect(report.continuation).toBe(true);
    for (const id of applied) {
      expect([cloud.target(id, V4), cloud.target(id, V6)]).toEqual([expect.stringMatching(/nat-[bc]/), cloud.target(id, V4)]);
      expect(cloud.tagsOf(id)[TAGS.state]).toBe('failed-over');
    }
    for (const id of deferred) {
      expect([cloud.target(id, V4), cloud.target(id, V6)]).toEqual(['nat-a', 'nat-a']);
      expect(cloud.tagsOf(id)[TAGS.state]).toBe('home');
    }
    // Nothing deferred is notified as a change: the continuation notifies it when it is made.
    expect(notificationFor(report)?.message ?? '').not.toContain(deferred[0]);

    // Act: the continuation, a fresh invocation.
    const next = clock.ms() + WRAP_UP_MS + 120_000;
    const second = await reconcile({ cloud, clock, recorder: silentRecorder, deadline: () => next }, config);

    // Assess: the rest moved, nothing left.
    expect(second.continuation).toBe(false);
    for (let i = 0; i < 30; i++) expect(cloud.target(`rtb-a${String(i).padStart(4, '0')}`, V4)).not.toBe('nat-a');
  });

  it('for any table count, write time and deadline: moved tables are exactly the tagged ones, and no write starts inside the wrap-up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 10, max: 3_000 }), fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 5 }), async (n, writeMs, budget, conc) => {
        const cfg = { ...config, writeConcurrency: conc };
        const { clock, cloud, starts } = await deadAz(n, writeMs, cfg);
        const deadline = clock.ms() + WRAP_UP_MS + budget;
        const warnings: string[] = [];
        const report = await reconcile({ cloud, clock, recorder: { ...silentRecorder, warn: (m) => void warnings.push(m) }, deadline: () => deadline }, cfg);
        // A table's first write starts before the wrap-up; its NAT64 write follows at once.
        const firsts = starts.filter((_, i) => i % 2 === 0);
        for (const s of firsts) expect(s).toBeLessThanOrEqual(deadline - WRAP_UP_MS + writeMs * conc);
        for (const r of report.results.filter((x) => x.action.routes.length > 0)) {
          const id = r.action.routeTableId;
          const moved = cloud.target(id, V4) !== 'nat-a';
          expect(moved).toBe(r.status === 'applied');
          expect(cloud.tagsOf(id)[TAGS.state]).toBe(moved ? 'failed-over' : 'home');
          if (r.status !== 'applied') expect(r.status).toBe('deferred');
        }
        // It continues when it deferred a table, or when the deadline cut its verify short.
        expect(report.continuation).toBe(report.results.some((r) => r.status === 'deferred') || warnings.includes(VERIFY_SKIPPED));
      }),
      { numRuns: 40 },
    );
  });

  it('without a deadline (the CLI, the simulator) writes everything in one run', async () => {
    const { clock, cloud } = await deadAz(30, 1_000, config);
    const report = await reconcile({ cloud, clock, recorder: silentRecorder }, config);
    expect(report.results.filter((r) => r.status === 'deferred')).toEqual([]);
    expect(report.continuation).toBe(false);
  });
});

describe('compare-and-swap reads, chunk by chunk', () => {
  it('writes while the next chunk is read; a failed later read fails only its tables, unwritten, and what was written is recorded', async () => {
    // Prepare: 250 tables (two chunks of CAS_READ_CHUNK); the second read fails.
    const { clock, cloud } = await deadAz(250, 10, config);
    const read = cloud.readRoutes.bind(cloud);
    let reads = 0;
    cloud.readRoutes = async (ids) => {
      reads++;
      if (reads === 2) throw new Error('DescribeRouteTables failed (test)');
      return read(ids);
    };

    // Act: act() alone (the verify pass would re-read).
    const { act, decide, observe } = await import('../../src/reconcile/controller');
    const deps = { cloud, clock, recorder: silentRecorder };
    const { plan } = decide(await observe(deps, config), config);
    reads = 0;
    const results = await act(deps, config, plan);

    // Assess
    const first = results.filter((r) => r.status === 'applied' && r.action.routes.length > 0);
    const failed = results.filter((r) => r.status === 'failed');
    expect(first.length).toBe(CAS_READ_CHUNK);
    expect(failed.length).toBe(250 - CAS_READ_CHUNK);
    for (const r of failed) {
      expect(r.applied).toEqual([]);
      expect(cloud.target(r.action.routeTableId, V4)).toBe('nat-a');
      expect(r.detail).toMatch(/^not written: the compare-and-swap read failed/);
    }
    for (const r of first) expect(cloud.tagsOf(r.action.routeTableId)[TAGS.state]).toBe('failed-over');
  });
});

describe('the continuation', () => {
  it('invokes the function again at once with the next chain count, only when changes were deferred', async () => {
    const sent: ContinuationPayload[] = [];
    const invoke = async (p: ContinuationPayload) => void sent.push(p);
    expect(await continueIfUnfinished({ continuation: true, dryRun: false }, 0, invoke, silentRecorder)).toBe(true);
    expect(await continueIfUnfinished({ continuation: false, dryRun: false }, 0, invoke, silentRecorder)).toBe(false);
    expect(await continueIfUnfinished({ continuation: true, dryRun: true }, 0, invoke, silentRecorder)).toBe(false);
    expect(await continueIfUnfinished({ continuation: true, dryRun: false }, MAX_CHAIN, invoke, silentRecorder)).toBe(false);
    expect(sent).toEqual([{ 'nat-failover': 'continuation', chain: 1 }]);
  });

  it('logs, and does not fail the run, when the invoke fails (the schedule continues)', async () => {
    const errors: string[] = [];
    const recorder = { ...silentRecorder, error: (m: string) => void errors.push(m) };
    const ok = await continueIfUnfinished({ continuation: true, dryRun: false }, 2, async () => Promise.reject(new Error('AccessDenied')), recorder);
    expect(ok).toBe(false);
    expect(errors).toEqual(['continuation not invoked; the next scheduled run continues']);
  });
});
