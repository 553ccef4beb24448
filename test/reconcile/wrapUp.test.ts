/**
 * Issue 16 item 2, last clause: when the invocation's deadline nears, the run stops and records
 * what is done. act() already stopped starting writes WRAP_UP_MS before it; what came after (the
 * verify read, a correction pass, the notification, the continuation) was not bounded, so a slow
 * last write, verify read or SNS publish ran the invocation into Lambda's timeout and its record
 * (log lines, metrics flushed after the handler, notification, continuation) was lost although
 * routes had moved. Time is the simulator's VirtualClock: every slow call sleeps on it, and
 * concurrent sleepers (a call and its timeout) overlap as on a real clock.
 */
import fc from 'fast-check';
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { NOTIFICATION_NOT_SENT, reconcile, VERIFY_SKIPPED, WRAP_UP_MS } from '../../src/reconcile/controller';
import { continueIfUnfinished, type ContinuationPayload } from '../../src/reconcile/continuation';
import type { Notification, Recorder } from '../../src/reconcile/ports';
import { silentRecorder } from '../../src/reconcile/ports';
import { CONTINUATION_RESERVE_MS, FLUSH_RESERVE_MS, RECORD_RESERVE_MS, settleBy, VERIFY_MIN_MS } from '../../src/reconcile/wrapUp';
import { DEADLINE_MARGIN_MS } from '../../src/retry';
import { VirtualClock } from '../../src/sim/clock';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const V4 = '0.0.0.0/0';
const config: Config = { ...DEFAULTS, writeConcurrency: 1, alarms: 'off' };

interface Slow {
  /** Each ReplaceRoute. */
  readonly writeMs: number;
  /** Each CreateTags / DeleteTags. */
  readonly tagMs?: number;
  /** Each region read after the run's first (the verify's). */
  readonly verifyReadMs?: number;
  /** The SNS publish. */
  readonly notifyMs?: number;
}

interface Line {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

/** `n` tables at home on nat-a (recorded), then nat-a is deleted; the calls cost `slow` on a virtual clock. */
async function deadAz(n: number, slow: Slow) {
  const clock = new VirtualClock(new Date('2026-11-23T12:00:30Z'));
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  for (let i = 0; i < n; i++) cloud.addTable(managedTable(`rtb-a${String(i).padStart(3, '0')}`, 'us-east-1a', 'nat-a'));
  await reconcile({ cloud, clock, recorder: silentRecorder }, config);
  cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];

  const lines: Line[] = [];
  const counts: { metric: string; value: number }[] = [];
  const recorder: Recorder = {
    info: (message, data) => void lines.push({ level: 'info', message, ...(data ? { data } : {}) }),
    warn: (message, data) => void lines.push({ level: 'warn', message, ...(data ? { data } : {}) }),
    error: (message, data) => void lines.push({ level: 'error', message, ...(data ? { data } : {}) }),
    count: (metric, value) => void counts.push({ metric, value }),
  };
  const replace = cloud.replaceRoute.bind(cloud);
  cloud.replaceRoute = async (id, dest, to) => {
    await clock.sleep(slow.writeMs);
    return replace(id, dest, to);
  };
  const create = cloud.createTags.bind(cloud);
  cloud.createTags = async (ids, tags) => {
    await clock.sleep(slow.tagMs ?? 0);
    return create(ids, tags);
  };
  const remove = cloud.deleteTags.bind(cloud);
  cloud.deleteTags = async (ids, keys) => {
    await clock.sleep(slow.tagMs ?? 0);
    return remove(ids, keys);
  };
  let reads = 0;
  const read = cloud.readInventory.bind(cloud);
  cloud.readInventory = async (scope) => {
    if (++reads > 1) await clock.sleep(slow.verifyReadMs ?? 0);
    return read(scope);
  };
  const sent: Notification[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const notifier = {
    notify: async (note: Notification, signal?: AbortSignal) => {
      signals.push(signal);
      await clock.sleep(slow.notifyMs ?? 0);
      sent.push(note);
    },
  };
  return { clock, cloud, recorder, lines, counts, notifier, sent, signals, reads: () => reads };
}

const applied = (report: Awaited<ReturnType<typeof reconcile>>) => report.results.filter((r) => r.status === 'applied' && r.action.routes.length > 0);

describe('the wrap-up after the writes fits before the deadline', () => {
  it('the budgets nest: a run whose writes ended on time still verifies, and the notification leaves the continuation its time', () => {
    expect(VERIFY_MIN_MS).toBeLessThan(WRAP_UP_MS);
    expect(RECORD_RESERVE_MS).toBe(DEADLINE_MARGIN_MS);
    expect(CONTINUATION_RESERVE_MS).toBeLessThan(RECORD_RESERVE_MS);
    expect(FLUSH_RESERVE_MS).toBeLessThan(CONTINUATION_RESERVE_MS);
  });

  it('(a) a verify that would start too late is skipped, and every applied change is still logged, counted and notified', async () => {
    // Prepare: 5 s per write; the first table (IPv4 + NAT64) ends 10 s in, 9 s before the deadline;
    // the verify read would take 30 s.
    const r = await deadAz(3, { writeMs: 5_000, verifyReadMs: 30_000 });
    const deadline = r.clock.nowMs() + WRAP_UP_MS + 4_000;

    // Act
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });

    // Assess: no verify read, done before the deadline, the change recorded whole.
    expect(r.reads()).toBe(1);
    expect(r.clock.nowMs()).toBeLessThanOrEqual(deadline - CONTINUATION_RESERVE_MS);
    expect(r.lines.filter((l) => l.message === VERIFY_SKIPPED)).toHaveLength(1);
    const moved = applied(report).map((x) => x.action.routeTableId);
    expect(moved).toEqual(['rtb-a000']);
    expect(r.cloud.target('rtb-a000', V4)).not.toBe('nat-a');
    expect(r.cloud.tagsOf('rtb-a000')[TAGS.state]).toBe('failed-over');
    expect(r.lines.filter((l) => l.message === 'route changed').map((l) => l.data?.routeTableId)).toEqual(moved);
    expect(r.counts).toContainEqual({ metric: 'Failovers', value: 1 });
    expect(r.sent).toHaveLength(1);
    expect(report.continuation).toBe(true);
  });

  it('(a) a verify read that does not answer in time is dropped RECORD_RESERVE_MS before the deadline; the record stands', async () => {
    // Prepare: writes are quick, so the verify starts with time to spare, but its read hangs.
    const r = await deadAz(2, { writeMs: 100, verifyReadMs: 120_000 });
    const deadline = r.clock.nowMs() + WRAP_UP_MS + 5_000;

    // Act
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });

    // Assess
    expect(r.reads()).toBe(2);
    expect(r.clock.nowMs()).toBe(deadline - RECORD_RESERVE_MS);
    expect(r.lines.filter((l) => l.message === VERIFY_SKIPPED)).toHaveLength(1);
    expect(applied(report)).toHaveLength(2);
    expect(r.lines.filter((l) => l.message === 'route changed')).toHaveLength(2);
    expect(r.counts).toContainEqual({ metric: 'Failovers', value: 2 });
    expect(r.sent).toHaveLength(1);
  });

  it('(b) a slow notifier is given up CONTINUATION_RESERVE_MS before the deadline: logged as not sent, not thrown, after the route lines and counts', async () => {
    // Prepare: plenty of time for writes and verify; the SNS publish hangs for a minute.
    const r = await deadAz(2, { writeMs: 100, notifyMs: 60_000 });
    const deadline = r.clock.nowMs() + 40_000;

    // Act
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });

    // Assess: returned with the continuation's time left; the record is all there, in order.
    expect(r.clock.nowMs()).toBe(deadline - CONTINUATION_RESERVE_MS);
    expect(r.reads()).toBe(2);
    expect(r.sent).toEqual([]);
    // Given up, and told so: the SNS adapter aborts its request rather than publish late.
    expect(r.signals.map((s) => s?.aborted)).toEqual([true]);
    const order = r.lines.map((l) => l.message);
    expect(order.filter((m) => m === 'route changed')).toHaveLength(2);
    expect(order.indexOf(NOTIFICATION_NOT_SENT)).toBeGreaterThan(order.lastIndexOf('route changed'));
    expect(r.lines.find((l) => l.message === NOTIFICATION_NOT_SENT)?.level).toBe('error');
    expect(r.counts).toContainEqual({ metric: 'Failovers', value: 2 });
    expect(applied(report)).toHaveLength(2);
  });

  it('(b) a notification that cannot start in time is not started', async () => {
    // Prepare: the tags take the run to 1 s before the deadline (act's writes started on time).
    const r = await deadAz(1, { writeMs: 100, tagMs: WRAP_UP_MS - 1_200, notifyMs: 10 });
    const deadline = r.clock.nowMs() + WRAP_UP_MS;

    // Act
    await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });

    // Assess
    expect(r.sent).toEqual([]);
    expect(r.lines.map((l) => l.message)).toEqual(expect.arrayContaining([VERIFY_SKIPPED, 'route changed', NOTIFICATION_NOT_SENT]));
    expect(r.clock.nowMs()).toBeLessThan(deadline);
  });

  it('(c) with ample time the verify runs and the notification is sent, as before', async () => {
    const r = await deadAz(2, { writeMs: 100, verifyReadMs: 500, notifyMs: 200 });
    const deadline = r.clock.nowMs() + 60_000;
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });
    expect(r.reads()).toBe(2);
    expect(r.lines.filter((l) => l.message === VERIFY_SKIPPED || l.message === NOTIFICATION_NOT_SENT)).toEqual([]);
    expect(r.sent).toHaveLength(1);
    expect(applied(report)).toHaveLength(2);
  });

  it('(c) a verify that starts exactly VERIFY_MIN_MS before the deadline still runs', async () => {
    // One table, two writes of 2.5 s: act ends at deadline - VERIFY_MIN_MS.
    const r = await deadAz(1, { writeMs: 2_500, verifyReadMs: 100 });
    const deadline = r.clock.nowMs() + 5_000 + VERIFY_MIN_MS;
    await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });
    expect(r.reads()).toBe(2);
    expect(r.lines.filter((l) => l.message === VERIFY_SKIPPED)).toEqual([]);
  });

  it('a correction pass (a lost race) is not started inside WRAP_UP_MS: the table is recorded as a conflict for the next run', async () => {
    // Prepare: the gateway this run writes to dies while it verifies (a second writer's world
    // changed), so the verify finds a conflict with 13.8 s left; a correction's compare-and-swap
    // read would hang for 30 s.
    const r = await deadAz(1, { writeMs: 100, verifyReadMs: 2_000 });
    const deadline = r.clock.nowMs() + WRAP_UP_MS + 1_000;
    const read = r.cloud.readInventory.bind(r.cloud);
    r.cloud.readInventory = async (scope) => {
      const to = r.cloud.target('rtb-a000', V4);
      r.cloud.nats = r.cloud.nats.map((x) => (x.id === to ? { ...x, state: 'failed' as const } : x));
      return read(scope);
    };
    let casReads = 0;
    const cas = r.cloud.readRoutes.bind(r.cloud);
    r.cloud.readRoutes = async (ids) => {
      if (++casReads > 1) await r.clock.sleep(30_000);
      return cas(ids);
    };

    // Act
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });

    // Assess: no correction started, the run ended in time, the written change is on record.
    expect(casReads).toBe(1);
    expect(r.clock.nowMs()).toBeLessThanOrEqual(deadline - CONTINUATION_RESERVE_MS);
    expect(report.results.map((x) => x.status)).toEqual(['conflict']);
    expect(r.lines.some((l) => l.level === 'warn' && /not re-deciding: the invocation deadline is near/.test(l.message))).toBe(true);
    expect(r.lines.filter((l) => l.message.startsWith('route conflict')).map((l) => l.data?.routeTableId)).toEqual(['rtb-a000']);
    expect(r.sent).toHaveLength(1);
  });

  it('for any latencies and deadline: if act ended in time the run ends CONTINUATION_RESERVE_MS before the deadline, and every applied change is recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.record({
          writeMs: fc.integer({ min: 0, max: 8_000 }),
          tagMs: fc.integer({ min: 0, max: 8_000 }),
          verifyReadMs: fc.integer({ min: 0, max: 60_000 }),
          notifyMs: fc.integer({ min: 0, max: 60_000 }),
        }),
        fc.integer({ min: 0, max: 60_000 }),
        async (n, slow, budget) => {
          const r = await deadAz(n, slow);
          const deadline = r.clock.nowMs() + budget;
          // When act() is done: its last tag write (or its last route write, if it tags nothing).
          let actEnd = r.clock.nowMs();
          const inner = r.cloud.createTags.bind(r.cloud);
          r.cloud.createTags = async (ids, tags) => {
            await inner(ids, tags);
            actEnd = Math.max(actEnd, r.clock.nowMs());
          };
          const write = r.cloud.replaceRoute.bind(r.cloud);
          r.cloud.replaceRoute = async (id, dest, to) => {
            await write(id, dest, to);
            actEnd = Math.max(actEnd, r.clock.nowMs());
          };
          const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });
          const end = r.clock.nowMs();
          if (actEnd <= deadline - CONTINUATION_RESERVE_MS) expect(end).toBeLessThanOrEqual(deadline - CONTINUATION_RESERVE_MS);
          // Every applied change: moved in the cloud, tagged, one 'route changed' line, counted.
          const moved = applied(report).map((x) => x.action.routeTableId);
          for (const id of moved) {
            expect(r.cloud.target(id, V4)).not.toBe('nat-a');
            expect(r.cloud.tagsOf(id)[TAGS.state]).toBe('failed-over');
          }
          expect(r.lines.filter((l) => l.message === 'route changed').map((l) => l.data?.routeTableId)).toEqual(moved);
          expect(r.counts.filter((c) => c.metric === 'Failovers').reduce((s, c) => s + c.value, 0)).toBe(moved.length);
          // Nothing moved without being reported applied.
          for (let i = 0; i < n; i++) {
            const id = `rtb-a${String(i).padStart(3, '0')}`;
            expect(r.cloud.target(id, V4) !== 'nat-a').toBe(moved.includes(id));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the continuation gets its chance', () => {
  it('an invoke not answered FLUSH_RESERVE_MS before the deadline is given up and logged; the handler returns in time', async () => {
    const clock = new VirtualClock(new Date('2026-11-23T12:00:30Z'));
    const deadline = clock.nowMs() + CONTINUATION_RESERVE_MS;
    const errors: string[] = [];
    const recorder = { ...silentRecorder, error: (m: string) => void errors.push(m) };
    const hung = async (): Promise<void> => clock.sleep(30_000);
    const ok = await continueIfUnfinished({ continuation: true, dryRun: false }, 0, hung, recorder, undefined, { clock, at: deadline - FLUSH_RESERVE_MS });
    expect(ok).toBe(false);
    expect(clock.nowMs()).toBe(deadline - FLUSH_RESERVE_MS);
    expect(errors).toEqual(['continuation not confirmed before the invocation deadline; the next scheduled run continues']);
  });

  it('a run cut by a hung notification leaves the continuation CONTINUATION_RESERVE_MS, in which a prompt invoke is made', async () => {
    const r = await deadAz(4, { writeMs: 3_000, notifyMs: 600_000 });
    const deadline = r.clock.nowMs() + WRAP_UP_MS + 5_000;
    const report = await reconcile({ cloud: r.cloud, clock: r.clock, recorder: r.recorder, notifier: r.notifier, deadline: () => deadline }, config, { trigger: 'schedule' });
    expect(report.continuation).toBe(true);
    const sent: ContinuationPayload[] = [];
    const prompt = async (p: ContinuationPayload) => {
      await r.clock.sleep(80);
      sent.push(p);
    };
    expect(await continueIfUnfinished(report, 0, prompt, silentRecorder, undefined, { clock: r.clock, at: deadline - FLUSH_RESERVE_MS })).toBe(true);
    expect(sent).toEqual([{ 'nat-failover': 'continuation', chain: 1 }]);
    expect(r.clock.nowMs()).toBeLessThan(deadline - FLUSH_RESERVE_MS);
  });
});

describe('settleBy', () => {
  it('leaves no timer behind when the work wins (a virtual clock must not jump to a dropped timeout)', async () => {
    const clock = new VirtualClock(new Date('2026-11-23T12:00:30Z'));
    const start = clock.nowMs();
    let told: AbortSignal | undefined;
    const out = await settleBy(clock, (signal) => ((told = signal), clock.sleep(100).then(() => 7)), start + 60_000);
    expect(out).toEqual({ done: true, value: 7 });
    expect(told?.aborted).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.nowMs()).toBe(start + 100);
    expect(() => clock.advanceTo(start + 200)).not.toThrow();
  });

  it('a rejection before the bound rejects; work given up is told through its signal, and its late rejection is swallowed', async () => {
    const clock = new VirtualClock(new Date('2026-11-23T12:00:30Z'));
    await expect(settleBy(clock, () => Promise.reject(new Error('boom')), clock.nowMs() + 1_000)).rejects.toThrow('boom');
    let told: AbortSignal | undefined;
    const late = (signal: AbortSignal) => ((told = signal), clock.sleep(5_000).then(() => Promise.reject(new Error('late'))));
    await expect(settleBy(clock, late, clock.nowMs() + 1_000)).resolves.toEqual({ done: false });
    expect(told?.aborted).toBe(true);
    await clock.sleep(10_000);
  });
});
