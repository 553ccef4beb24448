/**
 * Issue 10 item 10: two writers that are not serialised (the CLI's --direct or `invoke local`
 * beside the reconcile function). fast-check's scheduler interleaves every call the two runs make
 * to one shared region, in orders it chooses; whatever the order, no managed table ends on a dead
 * or evacuated gateway, and a run whose write was overwritten before it verified reports conflict.
 */
import * as fc from 'fast-check';
import { DEFAULTS, type Config } from '../../src/config';
import type { Inventory, MetricWindow, Route } from '../../src/core/types';
import { alarmName, type AlarmSpec, type ExistingAlarm } from '../../src/events/alarmSpecs';
import { type AlarmStore, PushedSignals } from '../../src/events/signals';
import type { SignalUpdate } from '../../src/events/types';
import { handleManual, inProcessRunner } from '../../src/manual/actions';
import { type ControllerDeps, reconcile, type RunReport } from '../../src/reconcile/controller';
import { type CloudPort, type Scope, silentRecorder } from '../../src/reconcile/ports';
import { fixedClock } from '../manual/world';
import { MemoryCloud, managedTable, nat, ZONES } from '../reconcile/memoryCloud';

const CONFIG: Config = { ...DEFAULTS, alarms: 'off' };
const NOW = new Date('2026-11-23T12:10:00.000Z');
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const NATS = ['nat-a', 'nat-b', 'nat-c'] as const;
const NAT_ROUTES = ['0.0.0.0/0', '64:ff9b::/96'];

interface Op {
  readonly seq: number;
  readonly run: string;
  readonly op: 'inventory' | 'write';
  readonly table?: string;
  readonly destination?: string;
  readonly target?: string;
}

/** One run's view of the shared region: every call waits for the scheduler, then happens at once. */
class ScheduledCloud implements CloudPort {
  constructor(
    private readonly inner: MemoryCloud,
    private readonly s: fc.Scheduler,
    private readonly run: string,
    private readonly log: Op[],
  ) {}
  private at<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.s.schedule(Promise.resolve(), `${this.run} ${label}`).then(fn);
  }
  readInventory(scope: Scope): Promise<Inventory> {
    return this.at('readInventory', async () => {
      this.log.push({ seq: this.log.length, run: this.run, op: 'inventory' });
      return this.inner.readInventory(scope);
    });
  }
  readMetrics(ids: readonly string[], start: Date, end: Date): Promise<MetricWindow> {
    return this.at('readMetrics', () => this.inner.readMetrics(ids, start, end));
  }
  readRoutes(ids: readonly string[]): Promise<ReadonlyMap<string, readonly Route[]>> {
    return this.at(`readRoutes ${ids.join(',')}`, () => this.inner.readRoutes(ids));
  }
  replaceRoute(table: string, destination: string, target: string): Promise<void> {
    return this.at(`replaceRoute ${table} ${destination} ${target}`, async () => {
      await this.inner.replaceRoute(table, destination, target);
      this.log.push({ seq: this.log.length, run: this.run, op: 'write', table, destination, target });
    });
  }
  createTags(ids: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    return this.at(`createTags ${ids.join(',')}`, () => this.inner.createTags(ids, tags));
  }
  deleteTags(ids: readonly string[], keys: readonly string[]): Promise<void> {
    return this.at(`deleteTags ${ids.join(',')}`, () => this.inner.deleteTags(ids, keys));
  }
}

/** A three-AZ region, a table at home in each; `dead` gateways deleted. */
function region(dead: readonly number[]): MemoryCloud {
  const cloud = new MemoryCloud([...ZONES], AZS.map((az, i) => nat(NATS[i]!, az, dead.includes(i) ? 'deleted' : 'available')));
  AZS.forEach((az, i) => cloud.addTable(managedTable(`rtb-${'abc'[i]}`, az, NATS[i]!)));
  return cloud;
}

const evacuation = (zone: number): SignalUpdate => ({
  kind: 'evacuation-open',
  source: 'arc-zonal-shift',
  key: `zonal-shift:${ZONES[zone]!.id}`,
  zones: [ZONES[zone]!.id],
  at: NOW,
  detail: 'test shift',
});

/** Managed alarms both runs read: `alarmed` gateways' packet-drop alarm is in ALARM. */
class SharedAlarms implements AlarmStore {
  readonly alarms = new Map<string, ExistingAlarm>();
  constructor(alarmed: readonly string[]) {
    for (const n of alarmed) {
      const name = alarmName(CONFIG.alarmPrefix, n, 'packet-drops');
      this.alarms.set(name, { name, description: '', state: 'ALARM', stateSince: NOW });
    }
  }
  async list(): Promise<ExistingAlarm[]> {
    return [...this.alarms.values()];
  }
  async put(spec: AlarmSpec): Promise<void> {
    const seen = this.alarms.get(spec.name);
    this.alarms.set(spec.name, { name: spec.name, description: spec.description, state: seen?.state ?? 'INSUFFICIENT_DATA', stateSince: seen?.stateSince });
  }
  async remove(names: readonly string[]): Promise<void> {
    for (const n of names) this.alarms.delete(n);
  }
}

function depsOn(shared: MemoryCloud, s: fc.Scheduler, name: string, log: Op[], alarms?: AlarmStore): ControllerDeps {
  const cloud = new ScheduledCloud(shared, s, name, log);
  const signals = new PushedSignals({ cloud, recorder: silentRecorder, alarms }, CONFIG);
  return { cloud, clock: fixedClock(NOW), recorder: silentRecorder, signals };
}

/** A run as a front door makes it, through its own view of the shared region. */
function runOn(shared: MemoryCloud, s: fc.Scheduler, name: string, log: Op[], updates: readonly SignalUpdate[], alarms?: AlarmStore): Promise<RunReport> {
  return reconcile(depsOn(shared, s, name, log, alarms), CONFIG, { trigger: name, signalUpdates: updates });
}

/**
 * Tables where run X's last write to a route had been overwritten by the other run, with another
 * target, as X made its last read of the region (its verify): X lost that race and must say so.
 * (An overwrite that a later write restored before X looked is invisible to X, and harmless.)
 */
function overwrittenBeforeVerify(log: readonly Op[], run: string): Set<string> {
  const lastRead = Math.max(-1, ...log.filter((o) => o.run === run && o.op === 'inventory').map((o) => o.seq));
  const out = new Set<string>();
  const writes = log.filter((o) => o.op === 'write' && o.seq < lastRead);
  const key = (o: Op) => `${o.table} ${o.destination}`;
  for (const k of new Set(writes.filter((o) => o.run === run).map(key))) {
    const mine = writes.filter((o) => o.run === run && key(o) === k).at(-1)!;
    const atRead = writes.filter((o) => key(o) === k).at(-1)!;
    if (atRead.run !== run && atRead.target !== mine.target) out.add(mine.table!);
  }
  return out;
}

describe('two writers, every interleaving', () => {
  const worlds = fc
    .record({
      dead: fc.subarray([0, 1, 2], { maxLength: 1 }),
      evacuated: fc.integer({ min: 0, max: 2 }),
      // A gateway whose managed alarm is in ALARM (unhealthy), read by both runs.
      alarmed: fc.subarray([0, 1, 2], { maxLength: 1 }),
      // Which run carries the evacuation's event (the other is a plain scheduled run).
      bothEvents: fc.boolean(),
    })
    // At least one gateway stays good, or there is nowhere to go.
    .filter((w) => new Set([...w.dead, w.evacuated, ...w.alarmed]).size <= 2);

  it('no table ends on a dead, evacuated or alarmed gateway, and the loser reports conflict', async () => {
    let raced = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), worlds, async (s, w) => {
        const shared = region(w.dead);
        const log: Op[] = [];
        const alarms = w.alarmed.length > 0 ? new SharedAlarms(w.alarmed.map((i) => NATS[i]!)) : undefined;
        const a = runOn(shared, s, 'A', log, w.bothEvents ? [evacuation(w.evacuated)] : [], alarms);
        const b = runOn(shared, s, 'B', log, [evacuation(w.evacuated)], alarms);
        await s.waitFor(Promise.all([a, b]));
        const [ra, rb] = await Promise.all([a, b]);

        // Invariant: every NAT route of every managed table on a live, healthy gateway outside the evacuated AZ.
        const bad = new Set<string>([...w.dead.map((i) => NATS[i]!), NATS[w.evacuated]!, ...w.alarmed.map((i) => NATS[i]!)]);
        for (const t of ['rtb-a', 'rtb-b', 'rtb-c']) {
          for (const d of NAT_ROUTES) expect({ table: t, destination: d, bad: bad.has(shared.target(t, d)!) }).toEqual({ table: t, destination: d, bad: false });
        }
        // The loser says so: a write overwritten by the other run before this run's verify read.
        for (const [name, report] of [['A', ra], ['B', rb]] as const) {
          const conflicts = new Set(report.results.filter((r) => r.status === 'conflict').map((r) => r.action.routeTableId));
          if (conflicts.size > 0) raced++;
          for (const t of overwrittenBeforeVerify(log, name)) expect({ run: name, table: t, conflict: conflicts.has(t) }).toEqual({ run: name, table: t, conflict: true });
        }
      }),
      { numRuns: Number(process.env.TWO_WRITERS_RUNS ?? 1000) },
    );
    // The schedules did race: some runs lost and said so (not a suite of lucky serial orders).
    expect(raced).toBeGreaterThan(10);
  });

  const pinBesideEvacuation = () =>
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), async (s, pinned, evacuated) => {
      const shared = region([]);
      const log: Op[] = [];
      const deps = depsOn(shared, s, 'A', log);
      const manual = handleManual({ ...deps, runner: inProcessRunner(deps, CONFIG), endpoints: { gatewayEndpoints: async () => [] } }, CONFIG, { action: 'failover', az: AZS[pinned], reason: 'CHG-10', by: 'ops' });
      const b = runOn(shared, s, 'B', log, [evacuation(evacuated)]);
      await s.waitFor(Promise.all([manual, b]));
      const res = await manual;
      for (const t of ['rtb-a', 'rtb-b', 'rtb-c']) {
        for (const d of NAT_ROUTES) expect({ table: t, destination: d, on: shared.target(t, d) }).not.toEqual({ table: t, destination: d, on: NATS[evacuated] });
      }
      // With a healthy gateway outside both AZs, the pin is honoured (when it was accepted).
      if (res.ok && pinned !== evacuated) {
        const table = `rtb-${'abc'[pinned]}`;
        for (const d of NAT_ROUTES) expect({ table, destination: d, on: shared.target(table, d) }).not.toEqual({ table, destination: d, on: NATS[pinned] });
      }
    });

  it('an operator pin through --direct beside an evacuation event: the pinned AZ is left, and never for a bad gateway', async () => {
    await fc.assert(pinBesideEvacuation(), { numRuns: Number(process.env.TWO_WRITERS_RUNS ?? 300) });
  });

  // Found by the property above (1 run in several thousand): the pin's run moved rtb-a to nat-b
  // before the evacuation run's memory of AZ b landed; the evacuation run wrote only rtb-b and its
  // verify left rtb-a on the evacuated gateway. Its verify now also moves a table another writer
  // put on a gateway it knows is no healthy target. The recorded interleaving, replayed:
  it('replays the interleaving where the evacuation run\'s verify must move the pinned run\'s table off the evacuated gateway', async () => {
    await fc.assert(pinBesideEvacuation(), { seed: 550396332, path: '238', numRuns: 1 });
  });
});
