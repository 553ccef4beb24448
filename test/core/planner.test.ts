import { TAGS } from '../../src/core/constants';
import { holdDownSeconds } from '../../src/core/planner';
import type { Inventory, Plan, TableAction } from '../../src/core/types';
import {
  DROPPING,
  NOW,
  VPC2,
  actionFor,
  at,
  config,
  decideAt,
  failedOverTags,
  healthyMetrics,
  iso,
  natGw,
  observation,
  route,
  series,
  standardInventory,
  table,
  targetsAfter,
  withNat,
  withTable,
  withZone,
  type ObsSpec,
} from './fixtures';
import type { Config } from '../../src/config';
import type { PlanOverrides } from '../../src/core/planner';

const run = (inv: Inventory, spec: ObsSpec = {}, cfg: Partial<Config> = {}, overrides: PlanOverrides = {}): Plan =>
  decideAt(observation(inv, spec), config(cfg), overrides).plan;

const routeMoves = (p: Plan): Array<[string, string, string, string]> =>
  p.actions.flatMap((a) => a.routes.map((r) => [a.routeTableId, r.destination, r.from, r.to] as [string, string, string, string]));

const must = (a: TableAction | undefined): TableAction => {
  if (!a) throw new Error('expected an action');
  return a;
};

const kinds = (p: Plan, id?: string): string[] => p.findings.filter((f) => id === undefined || f.routeTableId === id).map((f) => f.kind);

/** Tags a table carries once the plan's tag diff is written. */
const tagsAfter = (inv: Inventory, p: Plan, id: string): Record<string, string> => {
  const t = inv.routeTables.find((x) => x.id === id)!;
  const a = actionFor(p, id);
  const tags: Record<string, string> = { ...t.tags, ...(a?.tags.set ?? {}) };
  for (const k of a?.tags.remove ?? []) delete tags[k];
  return tags;
};

/** The standard world with rtb-a failed over to `on` and a recorded failover. */
function failedOver(on: string, tags: Parameters<typeof failedOverTags>[0], extra: Record<string, string> = {}): Inventory {
  return withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: on, tags: { ...failedOverTags(tags), ...extra } }));
}

/** The standard world after a run an hour ago recorded each table at home. */
function settled(inv: Inventory = standardInventory()): Inventory {
  const p = decideAt(observation(inv, { now: at(-3600) }), config()).plan;
  return {
    ...inv,
    routeTables: inv.routeTables.map((t) => ({ ...t, tags: tagsAfter(inv, p, t.id) })),
  };
}

describe('steady state', () => {
  it('records the state of untagged tables without touching any route', () => {
    const p = run(standardInventory());
    expect(routeMoves(p)).toEqual([]);
    expect(p.actions.map((a) => [a.routeTableId, a.tags.set[TAGS.state], a.tags.set[TAGS.homeNat]])).toEqual([
      ['rtb-a', 'home', 'nat-a'],
      ['rtb-b', 'home', 'nat-b'],
      ['rtb-c', 'home', 'nat-c'],
    ]);
  });

  it('plans nothing once the state is recorded and every gateway is healthy', () => {
    const p = run(settled(), { metrics: healthyMetrics() });
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
    expect(p.tables.map((t) => [t.routeTableId, t.mode, t.currentTarget, t.desiredTarget])).toEqual([
      ['rtb-a', 'home', 'nat-a', 'nat-a'],
      ['rtb-b', 'home', 'nat-b', 'nat-b'],
      ['rtb-c', 'home', 'nat-c', 'nat-c'],
    ]);
  });
});

describe('failover', () => {
  it('fails over at once on a hard signal, to a healthy gateway in another AZ, evacuation first', () => {
    // Act
    const p = run(withNat(settled(), 'nat-a', { state: 'failed' }));

    // Assess
    const a = must(actionFor(p, 'rtb-a'));
    expect(a.transition).toBe('failover');
    expect(a.priority).toBe(0);
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-b' }]);
    expect(a.reasons.join(' ')).toContain('gateway state is failed');
    expect(a.tags.set[TAGS.state]).toBe('failed-over');
    expect(a.tags.set[TAGS.since]).toBe(NOW.toISOString());
    expect(routeMoves(p)).toHaveLength(1);
  });

  it('fails over on a soft signal that held for M of N minutes', () => {
    const p = run(settled(), { metrics: healthyMetrics({ 'nat-a': series(3, DROPPING) }) });
    const a = must(actionFor(p, 'rtb-a'));
    expect(a.transition).toBe('failover');
    expect(a.priority).toBe(1);
    expect(a.reasons.join(' ')).toContain('packet-drop ratio');
  });

  it('does not fail over on M-1 bad minutes', () => {
    const p = run(settled(), { metrics: healthyMetrics({ 'nat-a': series(2, DROPPING) }) });
    expect(routeMoves(p)).toEqual([]);
  });

  it('fails over on an AZ evacuation, but not on an AZ in state information', () => {
    const evac = run(settled(), { evacuations: [{ az: 'us-east-1a', source: 'aws-health', id: 'ev-1', since: NOW }] });
    expect(routeMoves(evac)).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
    const info = run(withZone(settled(), 'us-east-1a', 'information'));
    expect(routeMoves(info)).toEqual([]);
  });

  it('leaves the route alone and reports when no healthy target exists', () => {
    // Prepare
    let inv = withNat(settled(), 'nat-a', { state: 'failed' });
    inv = withNat(inv, 'nat-b', { state: 'deleted' });
    inv = withZone(inv, 'us-east-1c', 'impaired');

    // Act
    const p = run(inv);

    // Assess
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toContain('no-healthy-target');
  });

  it('keeps the current target while it stays healthy, even when another is less loaded', () => {
    // rtb-a is on nat-c (with rtb-c); nat-b carries only rtb-b.
    const inv = withNat(failedOver('nat-c', { homeNat: 'nat-a', since: -300 }), 'nat-a', { state: 'failed' });
    const p = run(inv);
    expect(routeMoves(p)).toEqual([]);
  });

  it('moves to another healthy target when the current one dies while home is still down', () => {
    let inv = withNat(failedOver('nat-c', { homeNat: 'nat-a', since: -300 }), 'nat-a', { state: 'failed' });
    inv = withNat(inv, 'nat-c', { state: 'failed' });
    const p = run(inv);
    expect(routeMoves(p)).toContainEqual(['rtb-a', '0.0.0.0/0', 'nat-c', 'nat-b']);
    expect(must(actionFor(p, 'rtb-a')).priority).toBe(0);
  });

  it('spreads failed-over tables deterministically over the healthy gateways', () => {
    // Prepare: four tables homed in us-east-1a.
    const base = withNat(standardInventory(), 'nat-a', { state: 'failed' });
    const homes = ['rtb-a1', 'rtb-a2', 'rtb-a3', 'rtb-a4'].map((id) => table(id, { subnetAzs: ['us-east-1a'], v4: 'nat-a' }));
    const inv: Inventory = { ...base, routeTables: [...base.routeTables.filter((t) => t.id !== 'rtb-a'), ...homes] };

    // Act
    const p1 = run(inv);
    const p2 = run({ ...inv, routeTables: [...inv.routeTables].reverse() });

    // Assess
    const targets = homes.map((t) => targetsAfter(p1, t).v4);
    expect(targets.filter((t) => t === 'nat-b')).toHaveLength(2);
    expect(targets.filter((t) => t === 'nat-c')).toHaveLength(2);
    expect(p2).toStrictEqual(p1);
  });

  it('only targets a gateway of the same VPC and connectivity type in another AZ', () => {
    // Prepare: the only healthy gateways are in another VPC, private, regional, or in the impaired home AZ.
    const inv: Inventory = {
      ...withZone(standardInventory(), 'us-east-1a', 'impaired'),
      natGateways: [
        natGw('nat-a', 'us-east-1a'),
        natGw('nat-a2', 'us-east-1a'),
        natGw('nat-other-vpc', 'us-east-1b', { vpcId: VPC2 }),
        natGw('nat-private', 'us-east-1b', { connectivityType: 'private' }),
        natGw('nat-regional', undefined, { availabilityMode: 'regional' }),
      ],
      routeTables: [table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a' })],
    };

    // Act
    const p = run(inv);

    // Assess
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toContain('no-healthy-target');
  });

  it('never fails over to a zonal gateway whose AZ is unknown (its subnet not found), however idle', () => {
    // Prepare: nat-a failed; nat-nowhere carries no table (least loaded) but has no known AZ.
    const base = withNat(standardInventory(), 'nat-a', { state: 'failed' });
    const inv: Inventory = { ...base, natGateways: [...base.natGateways, natGw('nat-nowhere', undefined)] };
    const alone: Inventory = { ...inv, natGateways: inv.natGateways.filter((n) => n.id === 'nat-a' || n.id === 'nat-nowhere') };

    // Act
    const p = run(inv);
    const q = run(alone);

    // Assess: a known-AZ gateway is chosen; with none, the table stays and it is reported.
    expect(targetsAfter(p, inv.routeTables.find((t) => t.id === 'rtb-a')!).v4).toBe('nat-b');
    expect(routeMoves(q)).toEqual([]);
    expect(kinds(q, 'rtb-a')).toContain('no-healthy-target');
  });

  it('never pins a table to a zonal gateway whose AZ is unknown', () => {
    const pin = { [TAGS.pin]: 'away-from=us-east-1a by=ops target=nat-nowhere', [TAGS.pinReason]: 'patching' };
    const base = withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: pin }));
    const inv: Inventory = { ...base, natGateways: [...base.natGateways, natGw('nat-nowhere', undefined)] };
    expect(targetsAfter(run(inv), inv.routeTables.find((t) => t.id === 'rtb-a')!).v4).toBe('nat-b');
  });

  it('fails a private-connectivity table over to a private gateway only', () => {
    const inv: Inventory = {
      ...standardInventory(),
      natGateways: [
        natGw('nat-a', 'us-east-1a', { connectivityType: 'private', state: 'failed' }),
        natGw('nat-b', 'us-east-1b'),
        natGw('nat-c', 'us-east-1c', { connectivityType: 'private' }),
      ],
      routeTables: [table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a' })],
    };
    expect(routeMoves(run(inv))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-c']]);
  });

  it('infers the connectivity type of a vanished gateway from the VPC, never assuming public', () => {
    // Prepare: rtb-a points at a gateway deleted long ago (gone from the API), no home recorded.
    const privateVpc: Inventory = {
      ...standardInventory(),
      natGateways: [natGw('nat-b', 'us-east-1b', { connectivityType: 'private' })],
      routeTables: [table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-gone' })],
    };
    const mixed: Inventory = { ...privateVpc, natGateways: [...privateVpc.natGateways, natGw('nat-c', 'us-east-1c')] };

    // Act
    const p1 = run(privateVpc);
    const p2 = run(mixed);

    // Assess
    expect(routeMoves(p1)).toEqual([['rtb-a', '0.0.0.0/0', 'nat-gone', 'nat-b']]);
    expect(routeMoves(p2)).toEqual([]);
    expect(kinds(p2, 'rtb-a')).toEqual(['skipped-table']);
  });

  it('does not move on soft signals when the static-stability guard holds the VPC', () => {
    const p = run(settled(), { metrics: healthyMetrics({ 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING) }) });
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p)).toContain('static-stability-guard');
  });
});

describe('restore and hold-down', () => {
  it('doubles the hold-down per flap and caps it at two hours', () => {
    expect([0, 1, 2, 3, 4, 5, 16].map((f) => holdDownSeconds(600, f))).toEqual([600, 1200, 2400, 4800, 7200, 7200, 7200]);
    expect(holdDownSeconds(0, 3)).toBe(0);
    // A base longer than the cap is honoured as is.
    expect(holdDownSeconds(10_000, 2)).toBe(10_000);
  });

  it('restores once home has been healthy for the whole hold-down', () => {
    const p = run(failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -600 }));
    const a = must(actionFor(p, 'rtb-a'));
    expect(a.transition).toBe('restore');
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    expect(a.priority).toBe(3);
    expect(a.tags.set[TAGS.state]).toBe('home');
    expect(a.tags.set[TAGS.flaps]).toBe(`0@${NOW.toISOString()}`);
    expect(a.tags.remove).toContain(TAGS.homeOkSince);
  });

  it('holds a due restore while the static-stability guard distrusts the VPC', () => {
    // Prepare: rtb-a is due to go home, but nat-b and nat-c both look soft-bad (2 of 3).
    const world = failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -600 });
    const metrics = healthyMetrics({ 'nat-b': series(5, DROPPING), 'nat-c': series(5, DROPPING) });

    // Act
    const guarded = run(world, { metrics });
    const calm = run(world, { metrics: healthyMetrics() });

    // Assess
    expect(routeMoves(guarded)).toEqual([]);
    expect(kinds(guarded, 'rtb-a')).toEqual(['static-stability-guard']);
    expect(must(actionFor(calm, 'rtb-a')).transition).toBe('restore');
  });

  describe('while monitoring is degraded (a soft-signal source could not be read)', () => {
    const due = () => failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -600 });
    const blind = { unreadSignals: [{ source: 'metrics' as const, error: 'GetMetricData was throttled' }] };

    it('holds a due restore into a home whose soft health is unknown, and says why', () => {
      const p = run(due(), blind);
      expect(routeMoves(p)).toEqual([]);
      expect(kinds(p, 'rtb-a')).toEqual(['monitoring-degraded']);
      expect(p.findings.find((f) => f.routeTableId === 'rtb-a')?.message).toContain('metrics (GetMetricData was throttled) could not be read');
      // The same world with monitoring read restores: the hold is the degraded monitoring alone.
      expect(must(actionFor(run(due()), 'rtb-a')).transition).toBe('restore');
    });

    it('holds it when the alarms could not be read, too', () => {
      const p = run(due(), { unreadSignals: [{ source: 'alarms', error: 'DescribeAlarms failed' }] });
      expect(routeMoves(p)).toEqual([]);
      expect(kinds(p, 'rtb-a')).toEqual(['monitoring-degraded']);
    });

    it('restores when the metrics that were read judged the home healthy (positive evidence)', () => {
      const p = run(due(), { metrics: healthyMetrics(), unreadSignals: [{ source: 'alarms', error: 'DescribeAlarms failed' }] });
      expect(must(actionFor(p, 'rtb-a')).transition).toBe('restore');
    });

    it('still fails over on a hard signal', () => {
      const p = run(withNat(settled(), 'nat-a', { state: 'deleted' }), blind);
      expect(must(actionFor(p, 'rtb-a')).transition).toBe('failover');
    });

    it('still leaves a dead current gateway, going home early if nothing else is healthy', () => {
      let inv = withNat(failedOver('nat-b', { homeNat: 'nat-a', since: -300, homeOkSince: -60 }), 'nat-b', { state: 'failed' });
      inv = withZone(inv, 'us-east-1c', 'impaired');
      const a = must(actionFor(run(inv, blind), 'rtb-a'));
      expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    });

    it('does not hold an operator\'s restore', () => {
      const p = run(due(), blind, {}, { restoreNow: [{ az: 'us-east-1a', force: false, reason: 'checked', by: 'bob' }] });
      expect(must(actionFor(p, 'rtb-a')).transition).toBe('restore');
    });
  });

  it('does not restore one second before the hold-down ends', () => {
    const p = run(failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -599 }));
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toEqual(['hold-down']);
  });

  it('starts the hold-down clock when home first looks healthy again', () => {
    const p = run(failedOver('nat-b', { homeNat: 'nat-a', since: -900 }));
    expect(routeMoves(p)).toEqual([]);
    expect(must(actionFor(p, 'rtb-a')).tags.set[TAGS.homeOkSince]).toBe(NOW.toISOString());
  });

  it('resets the hold-down clock while home is unhealthy', () => {
    const inv = withNat(failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -100 }), 'nat-a', { state: 'failed' });
    const p = run(inv);
    expect(routeMoves(p)).toEqual([]);
    expect(must(actionFor(p, 'rtb-a')).tags.remove).toContain(TAGS.homeOkSince);
  });

  it('does not restore into a home that is available but soft-bad', () => {
    const p = run(failedOver('nat-b', { homeNat: 'nat-a', since: -9000, homeOkSince: -9000 }), {
      metrics: healthyMetrics({ 'nat-a': series(3, DROPPING) }),
    });
    expect(routeMoves(p)).toEqual([]);
  });

  it.each([
    [1, 1199, false],
    [1, 1200, true],
    [3, 4799, false],
    [3, 4800, true],
    [6, 7199, false],
    [6, 7200, true],
  ])('with %i recorded flaps, %i s of healthy home restores: %s', (flaps, okFor, restores) => {
    const p = run(failedOver('nat-b', { homeNat: 'nat-a', since: -9999, homeOkSince: -okFor, flaps }));
    expect(actionFor(p, 'rtb-a')?.transition === 'restore').toBe(restores);
  });

  it('counts a failover within an hour of a restore as a flap', () => {
    // Prepare: rtb-a went home 30 minutes ago after one flap.
    const tags = { [TAGS.state]: 'home', [TAGS.since]: iso(-1800), [TAGS.reason]: 'at home', [TAGS.homeNat]: 'nat-a', [TAGS.flaps]: `1@${iso(-1800)}` };
    const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags })), 'nat-a', { state: 'failed' });

    // Act
    const p = run(inv);

    // Assess
    expect(must(actionFor(p, 'rtb-a')).tags.set[TAGS.flaps]).toBe(`2@${iso(-1800)}`);
  });

  it('forgets past flaps on a failover more than an hour after the last restore', () => {
    const tags = { [TAGS.state]: 'home', [TAGS.since]: iso(-3601), [TAGS.reason]: 'at home', [TAGS.homeNat]: 'nat-a', [TAGS.flaps]: `3@${iso(-3601)}` };
    const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags })), 'nat-a', { state: 'failed' });
    const a = must(actionFor(run(inv), 'rtb-a'));
    expect(a.transition).toBe('failover');
    // The count goes back to 0; the restore time stays, in the same key.
    expect(a.tags.set[TAGS.flaps]).toBe(`0@${iso(-3601)}`);
  });

  it('clamps a home-ok-since in the future to now, so the hold-down starts instead of never ending', () => {
    // Prepare: a clock-skewed or hand-edited home-ok-since a year ahead.
    const inv = failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: 365 * 86_400 });

    // Act: now, and a hold-down later on the tags this run writes.
    const p = run(inv);
    const later = run(withTable(inv, { ...inv.routeTables.find((t) => t.id === 'rtb-a')!, tags: tagsAfter(inv, p, 'rtb-a') }), { now: at(600) });

    // Assess
    expect(routeMoves(p)).toEqual([]);
    expect(must(actionFor(p, 'rtb-a')).tags.set[TAGS.homeOkSince]).toBe(NOW.toISOString());
    expect(must(actionFor(later, 'rtb-a')).transition).toBe('restore');
  });

  it('clamps a last-restore in the future to now, so it stops counting flaps an hour later', () => {
    const tags = { [TAGS.state]: 'home', [TAGS.since]: iso(-1800), [TAGS.reason]: 'at home', [TAGS.homeNat]: 'nat-a', [TAGS.flaps]: `1@${iso(365 * 86_400)}` };
    const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags })), 'nat-a', { state: 'failed' });
    const a = must(actionFor(run(inv), 'rtb-a'));
    expect(a.transition).toBe('failover');
    expect(a.tags.set[TAGS.flaps]).toBe(`2@${NOW.toISOString()}`);
  });

  it('goes home early when the current target dies and no other target is healthy', () => {
    // Prepare: in hold-down on nat-b; nat-b dies; nat-c is in an impaired AZ.
    let inv = withNat(failedOver('nat-b', { homeNat: 'nat-a', since: -300, homeOkSince: -60 }), 'nat-b', { state: 'failed' });
    inv = withZone(inv, 'us-east-1c', 'impaired');

    // Act
    const a = must(actionFor(run(inv), 'rtb-a'));

    // Assess
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    expect(a.transition).toBe('restore');
    expect(a.priority).toBe(0);
  });

  it('prefers another healthy target to an early return home while in hold-down', () => {
    const inv = withNat(failedOver('nat-b', { homeNat: 'nat-a', since: -300, homeOkSince: -60 }), 'nat-b', { state: 'failed' });
    expect(routeMoves(run(inv))).toContainEqual(['rtb-a', '0.0.0.0/0', 'nat-b', 'nat-c']);
  });

  it('repoints to the new gateway when the home NAT is replaced in the same AZ', () => {
    // Prepare: nat-a deleted (its route a blackhole), nat-a2 created in us-east-1a.
    const base = settled();
    const inv: Inventory = {
      ...withNat(base, 'nat-a', { state: 'deleted' }),
      natGateways: [...withNat(base, 'nat-a', { state: 'deleted' }).natGateways, natGw('nat-a2', 'us-east-1a')],
    };

    // Act
    const a = must(actionFor(run(inv), 'rtb-a'));

    // Assess
    expect(a.transition).toBe('repoint');
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-a2' }]);
    expect(a.tags.set[TAGS.homeNat]).toBe('nat-a2');
  });

  it('restores a failed-over table to the replacement gateway of its home AZ', () => {
    const base = failedOver('nat-b', { homeNat: 'nat-a', since: -900, homeOkSince: -600 });
    const inv: Inventory = { ...base, natGateways: [...base.natGateways.filter((n) => n.id !== 'nat-a'), natGw('nat-a2', 'us-east-1a')] };
    expect(routeMoves(run(inv))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-b', 'nat-a2']]);
  });
});

describe('blackhole memory', () => {
  /** rtb-a failed over from nat-a long ago (far beyond the hold-down), remembering nat-a's blackhole. */
  const remembering = (): Inventory => failedOver('nat-b', { homeNat: 'nat-a', since: -9000 }, { [TAGS.blackholeNat]: 'nat-a' });
  /** A second managed table homed in us-east-1a, still on nat-a, its route in `state`. */
  const witness = (state: 'active' | 'blackhole') =>
    table('rtb-a2', { subnetAzs: ['us-east-1a'], tags: failedOverTags({ homeNat: 'nat-a', since: -9000 }), extraRoutes: [route('0.0.0.0/0', 'nat-a', { state })] });

  it('records the blackholed home in the table\'s tags when it fails over', () => {
    // Prepare: nat-a says available, but rtb-a's default route to it is a blackhole.
    const t = table('rtb-a', { subnetAzs: ['us-east-1a'], extraRoutes: [route('0.0.0.0/0', 'nat-a', { state: 'blackhole' })] });
    const inv = withTable(settled(), { ...t, tags: settled().routeTables.find((x) => x.id === 'rtb-a')!.tags });

    // Act
    const a = must(actionFor(run(inv), 'rtb-a'));

    // Assess
    expect(a.transition).toBe('failover');
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-b' }]);
    expect(a.tags.set[TAGS.blackholeNat]).toBe('nat-a');
  });

  it('does not restore into a remembered blackhole once no route shows it, however long the hold-down has run', () => {
    // Act
    const d = decideAt(observation(remembering()), config());

    // Assess: nat-a looks unhealthy through the memory alone; rtb-a stays and nothing is written
    // (no hold-down clock starts, the memory stays).
    expect(d.health.gateways.get('nat-a')?.hard.map((s) => s.kind)).toEqual(['blackhole-route']);
    expect(d.health.gateways.get('nat-a')?.hard[0]?.detail).toContain('remembered by rtb-a');
    expect(actionFor(d.plan, 'rtb-a')).toBeUndefined();
  });

  it('without the memory, the same world starts the hold-down towards the blackhole', () => {
    const inv = failedOver('nat-b', { homeNat: 'nat-a', since: -9000 });
    expect(must(actionFor(run(inv), 'rtb-a')).tags.set[TAGS.homeOkSince]).toBe(NOW.toISOString());
  });

  it('keeps the memory while another table still shows a blackhole route to the gateway', () => {
    const inv = withTable(remembering(), witness('blackhole'));
    const p = run(inv);
    expect(routeMoves(p).filter(([id]) => id === 'rtb-a')).toEqual([]);
    expect(tagsAfter(inv, p, 'rtb-a')[TAGS.blackholeNat]).toBe('nat-a');
  });

  it('forgets it on positive evidence (a route to the available gateway seen active) and only then starts the hold-down', () => {
    // Act
    const inv = withTable(remembering(), witness('active'));
    const p = run(inv);

    // Assess: no restore yet (the hold-down starts now), memory dropped.
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toEqual(['hold-down']);
    const tags = tagsAfter(inv, p, 'rtb-a');
    expect(tags[TAGS.blackholeNat]).toBeUndefined();
    expect(tags[TAGS.homeOkSince]).toBe(NOW.toISOString());
  });

  it('does not take an active route to a gateway that is not available as evidence', () => {
    const inv = withNat(withTable(remembering(), witness('active')), 'nat-a', { state: 'failed' });
    expect(tagsAfter(inv, run(inv), 'rtb-a')[TAGS.blackholeNat]).toBe('nat-a');
  });

  it('forgets it when a replacement gateway becomes home, which is judged on its own', () => {
    // Prepare: nat-a is gone from the API; nat-a2 was created in us-east-1a.
    const base = remembering();
    const inv: Inventory = { ...base, natGateways: [...base.natGateways.filter((n) => n.id !== 'nat-a'), natGw('nat-a2', 'us-east-1a')] };

    // Act
    const p = run(inv);

    // Assess: home is nat-a2, healthy since now, so the hold-down starts; the memory of nat-a goes.
    expect(routeMoves(p)).toEqual([]);
    const tags = tagsAfter(inv, p, 'rtb-a');
    expect(tags[TAGS.homeNat]).toBe('nat-a2');
    expect(tags[TAGS.blackholeNat]).toBeUndefined();
    expect(tags[TAGS.homeOkSince]).toBe(NOW.toISOString());
  });

  it('never makes the remembered gateway another table\'s failover target', () => {
    // Prepare: rtb-a remembers nat-a and sits on nat-c with rtb-c; nat-b fails. By load alone
    // nat-a (no table) beats nat-c (two tables).
    const base = failedOver('nat-c', { homeNat: 'nat-a', since: -9000 }, { [TAGS.blackholeNat]: 'nat-a' });
    const inv = withNat(base, 'nat-b', { state: 'failed' });

    // Act
    const p = run(inv);

    // Assess
    expect(routeMoves(p)).toEqual([['rtb-b', '0.0.0.0/0', 'nat-b', 'nat-c']]);
  });

  it('needs force for a manual restore, and force brings the table home without the memory', () => {
    const req = (force: boolean) => ({ restoreNow: [{ az: 'us-east-1a', force, reason: 'fixed', by: 'bob' }] });
    const refused = run(remembering(), {}, {}, req(false));
    expect(routeMoves(refused)).toEqual([]);
    expect(refused.findings.find((f) => f.routeTableId === 'rtb-a')?.message).toContain('force would restore anyway');

    const forced = run(remembering(), {}, {}, req(true));
    expect(routeMoves(forced)).toEqual([['rtb-a', '0.0.0.0/0', 'nat-b', 'nat-a']]);
    expect(must(actionFor(forced, 'rtb-a')).tags.remove).toContain(TAGS.blackholeNat);
  });
});

describe('pins', () => {
  const pin = (o: { away: string; target?: string; until?: number }) => ({
    [TAGS.pin]: [`away-from=${o.away}`, ...(o.until !== undefined ? [`until=${iso(o.until)}`] : []), 'by=alice', ...(o.target ? [`target=${o.target}`] : [])].join(' '),
    [TAGS.pinReason]: 'kernel patching',
  });
  const pinned = (tags: Record<string, string>, v4 = 'nat-a') =>
    withTable(settled(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4, tags: { ...tagsAfter(settled(), run(standardInventory()), 'rtb-a'), ...tags } }));

  it('moves a table away from the pinned AZ to a healthy gateway', () => {
    const a = must(actionFor(run(pinned(pin({ away: 'us-east-1a', until: 3600 }))), 'rtb-a'));
    expect(a.transition).toBe('pin');
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-b' }]);
    expect(a.tags.set[TAGS.state]).toBe('pinned');
    expect(a.reasons.join(' ')).toContain('alice');
  });

  it('accepts a pin given as an AZ ID', () => {
    expect(routeMoves(run(pinned(pin({ away: 'use1-az1' }))))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
  });

  it('uses the explicit target when it is healthy and outside the pinned AZ', () => {
    expect(routeMoves(run(pinned(pin({ away: 'us-east-1a', target: 'nat-c' }))))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-c']]);
  });

  it('refuses an unhealthy explicit target and picks a healthy one', () => {
    const inv = withNat(pinned(pin({ away: 'us-east-1a', target: 'nat-c' })), 'nat-c', { state: 'failed' });
    expect(routeMoves(run(inv)).filter((m) => m[0] === 'rtb-a')).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
  });

  it('refuses an explicit target inside the pinned AZ', () => {
    const base = pinned(pin({ away: 'us-east-1a', target: 'nat-a2' }));
    const inv: Inventory = { ...base, natGateways: [...base.natGateways, natGw('nat-a2', 'us-east-1a')] };
    const moves = routeMoves(run(inv));
    expect(moves).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
  });

  it('wins over automatic restore while it lasts', () => {
    const inv = withTable(
      standardInventory(),
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -9000, homeOkSince: -9000 }), [TAGS.state]: 'pinned', ...pin({ away: 'us-east-1a', until: 60 }) } }),
    );
    expect(routeMoves(run(inv))).toEqual([]);
  });

  it('is released when it expires, and the table goes home if home held the hold-down', () => {
    // Prepare
    const inv = withTable(
      standardInventory(),
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -9000, homeOkSince: -9000 }), [TAGS.state]: 'pinned', ...pin({ away: 'us-east-1a', until: -1 }) } }),
    );

    // Act
    const p = run(inv);

    // Assess
    const a = must(actionFor(p, 'rtb-a'));
    expect(kinds(p, 'rtb-a')).toContain('pin-released');
    expect(a.transition).toBe('restore');
    expect(a.tags.remove).toEqual(expect.arrayContaining([TAGS.pin, TAGS.pinReason]));
  });

  it('never targets an unhealthy gateway for a pin: with nothing healthy elsewhere it stays', () => {
    let inv = withNat(pinned(pin({ away: 'us-east-1a' })), 'nat-b', { state: 'failed' });
    inv = withNat(inv, 'nat-c', { state: 'failed' });
    const p = run(inv);
    expect(routeMoves(p).filter((m) => m[0] === 'rtb-a')).toEqual([]);
    expect(kinds(p, 'rtb-a')).toContain('no-healthy-target');
  });

  it('leaves a pinned table whose home is outside the pinned AZ at home, without calling it an external change', () => {
    const inv = withTable(settled(), table('rtb-b', { subnetAzs: ['us-east-1b'], v4: 'nat-b', tags: { ...tagsAfter(settled(), run(standardInventory()), 'rtb-b'), ...pin({ away: 'us-east-1a' }) } }));
    const p = run(inv);
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-b')).not.toContain('external-change');
  });

  it('sends a table pinned away from its failover AZ back to its healthy home', () => {
    // rtb-a is failed over to nat-b; an operator pins it away from us-east-1b; home nat-a is
    // healthy but busier than nat-c, so only the preference for home sends it there.
    let inv = withTable(
      standardInventory(),
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -300, homeOkSince: -60 }), ...pin({ away: 'us-east-1b' }) } }),
    );
    inv = withTable(inv, table('rtb-a2', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }));
    inv = withTable(inv, table('rtb-a3', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }));
    expect(routeMoves(run(inv))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-b', 'nat-a']]);
  });

  it('does not leave a pinned table on a dead gateway when only the pinned AZ is healthy', () => {
    // Prepare: pinned away from us-east-1a onto nat-b; nat-b dies, nat-c too; nat-a is fine.
    let inv = withTable(
      standardInventory(),
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -300 }), [TAGS.state]: 'pinned', ...pin({ away: 'us-east-1a' }) } }),
    );
    inv = withNat(withNat(inv, 'nat-b', { state: 'failed' }), 'nat-c', { state: 'failed' });

    // Act
    const p = run(inv);

    // Assess
    const a = must(actionFor(p, 'rtb-a'));
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    expect(a.priority).toBe(0);
    expect(a.tags.set[TAGS.state]).toBeUndefined(); // still pinned: the pin holds once a healthy gateway appears elsewhere
    expect(p.findings.find((f) => f.routeTableId === 'rtb-a')?.message).toContain('despite the pin');
  });
});

describe('manual restore overrides', () => {
  const req = (az: string, force = false) => ({ restoreNow: [{ az, force, reason: 'verified by hand', by: 'bob' }] });
  const inHoldDown = () => failedOver('nat-b', { homeNat: 'nat-a', since: -300, homeOkSince: -10 });

  it.each(['us-east-1a', 'use1-az1'])('restores at once, skipping the hold-down (AZ given as %s)', (az) => {
    const a = must(actionFor(run(inHoldDown(), {}, {}, req(az)), 'rtb-a'));
    expect(a.transition).toBe('restore');
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    expect(a.reasons.join(' ')).toContain('manual restore by bob');
  });

  it('does not touch tables of other AZs', () => {
    expect(routeMoves(run(inHoldDown(), {}, {}, req('us-east-1b')))).toEqual([]);
  });

  it('refuses an unhealthy home without force, and says force would do it', () => {
    const p = run(inHoldDown(), { metrics: healthyMetrics({ 'nat-a': series(5, DROPPING) }) }, {}, req('us-east-1a'));
    expect(routeMoves(p)).toEqual([]);
    expect(p.findings.find((f) => f.routeTableId === 'rtb-a' && f.kind === 'no-healthy-target')?.message).toContain('force');
  });

  it('with force, restores into an available home that looks unhealthy', () => {
    const p = run(inHoldDown(), { metrics: healthyMetrics({ 'nat-a': series(5, DROPPING) }) }, {}, req('us-east-1a', true));
    const a = must(actionFor(p, 'rtb-a'));
    expect(a.routes).toEqual([{ destination: '0.0.0.0/0', from: 'nat-b', to: 'nat-a' }]);
    expect(a.reasons.join(' ')).toContain('(forced)');
  });

  it('never restores into a gateway that is not available, even with force', () => {
    const p = run(withNat(inHoldDown(), 'nat-a', { state: 'failed' }), {}, {}, req('us-east-1a', true));
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toContain('no-healthy-target');
  });
});

describe('change cap', () => {
  it('caps soft-signal failovers and restores, never dead-gateway evacuations; evacuations first, restores last', () => {
    // Prepare: rtb-0 waits to restore (sorts first by id); rtb-y (soft) and rtb-z1/z2 (hard) must move.
    const base = withNat(standardInventory(), 'nat-a', { state: 'failed' });
    const inv: Inventory = {
      ...base,
      routeTables: [
        table('rtb-0', { subnetAzs: ['us-east-1c'], v4: 'nat-b', tags: failedOverTags({ homeNat: 'nat-c', since: -9000, homeOkSince: -9000 }) }),
        table('rtb-y', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }),
        table('rtb-z1', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }),
        table('rtb-z2', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }),
      ],
    };
    const spec = { metrics: healthyMetrics({ 'nat-b': series(5, DROPPING) }) };

    // Act
    const p1 = run(inv, spec, { maxChangesPerRun: 1 });
    const p2 = run(inv, spec, { maxChangesPerRun: 2 });

    // Assess: the two hard evacuations do not count against a cap of 1; the soft failover takes
    // the one slot and the restore waits.
    expect(routeMoves(p1).map((m) => m[0])).toEqual(['rtb-z1', 'rtb-z2', 'rtb-y']);
    expect(p1.actions.filter((a) => a.routes.length > 0).map((a) => a.changeClass)).toEqual(['hard-evacuation', 'hard-evacuation', 'capped']);
    expect(p1.findings.filter((f) => f.kind === 'deferred-by-change-cap').map((f) => f.routeTableId)).toEqual(['rtb-0']);
    expect(routeMoves(p2).map((m) => m[0])).toEqual(['rtb-z1', 'rtb-z2', 'rtb-y', 'rtb-0']);
  });

  it('repoints off a deleted home gateway first and outside the cap', () => {
    // Prepare: nat-a deleted and replaced by nat-a2 (rtb-a must repoint); nat-b soft-bad, so
    // rtb-0 and rtb-1 (sorting first by id) must fail over.
    const base = withNat(standardInventory(), 'nat-a', { state: 'deleted' });
    const inv: Inventory = {
      ...base,
      natGateways: [...base.natGateways, natGw('nat-a2', 'us-east-1a')],
      routeTables: [table('rtb-0', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }), table('rtb-1', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a' })],
    };
    const spec = { metrics: healthyMetrics({ 'nat-b': series(5, DROPPING) }) };

    // Act
    const p = run(inv, spec, { maxChangesPerRun: 1 });

    // Assess
    expect(routeMoves(p).map((m) => m[0])).toEqual(['rtb-a', 'rtb-0']);
    expect(routeMoves(p)[0]).toEqual(['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-a2']);
    expect(must(actionFor(p, 'rtb-a'))).toMatchObject({ transition: 'repoint', priority: 0, changeClass: 'hard-evacuation' });
    expect(p.findings.filter((f) => f.kind === 'deferred-by-change-cap').map((f) => f.routeTableId)).toEqual(['rtb-1']);
  });

  it('keeps a repoint between two healthy gateways of the home AZ at normal priority', () => {
    // Prepare: rtb-a names nat-a2 as home but sits on nat-a, both healthy in us-east-1a.
    const base = settled();
    const inv: Inventory = {
      ...base,
      natGateways: [...base.natGateways, natGw('nat-a2', 'us-east-1a')],
      routeTables: [...base.routeTables.filter((t) => t.id !== 'rtb-a'), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: { [TAGS.state]: 'home', [TAGS.homeNat]: 'nat-a2' } })],
    };
    expect(must(actionFor(run(inv), 'rtb-a'))).toMatchObject({ transition: 'repoint', priority: 1 });
  });

  it('counts a table whose IPv4 and NAT64 routes move together as one change', () => {
    const base = withNat(standardInventory(), 'nat-a', { state: 'failed' });
    const inv = withTable(base, table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', v6: 'nat-a' }));
    const p = run(inv, {}, { maxChangesPerRun: 1 });
    expect(routeMoves(p)).toEqual([
      ['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b'],
      ['rtb-a', '64:ff9b::/96', 'nat-a', 'nat-b'],
    ]);
    expect(kinds(p)).not.toContain('deferred-by-change-cap');
  });

  it('does not count tag-only writes against the cap', () => {
    const p = run(standardInventory(), {}, { maxChangesPerRun: 1 });
    expect(p.actions).toHaveLength(3);
  });
});

describe('NAT64 follows IPv4', () => {
  it('moves a stray NAT64 route to where the IPv4 default points', () => {
    const inv = withTable(settled(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', v6: 'nat-b', tags: tagsAfter(settled(), run(standardInventory()), 'rtb-a') }));
    const a = must(actionFor(run(inv), 'rtb-a'));
    expect(a.transition).toBe('converge');
    expect(a.routes).toEqual([{ destination: '64:ff9b::/96', from: 'nat-b', to: 'nat-a' }]);
  });

  it('never moves NAT64 into an unhealthy gateway, even to follow IPv4', () => {
    let inv = withTable(settled(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', v6: 'nat-b' }));
    inv = withNat(withNat(withNat(inv, 'nat-a', { state: 'failed' }), 'nat-c', { state: 'failed' }), 'nat-b', { state: 'failed' });
    expect(routeMoves(run(inv))).toEqual([]);
  });

  it('leaves a NAT64 route that targets something other than a NAT gateway', () => {
    const inv = withNat(
      withTable(standardInventory(), { ...table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }), routes: [route('0.0.0.0/0', 'nat-a'), route('64:ff9b::/96', 'tgw-1')] }),
      'nat-a',
      { state: 'failed' },
    );
    expect(routeMoves(run(inv))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
  });
});

describe('tables the planner adopts or steps aside from', () => {
  it('adopts a table found away from home with no recorded failover', () => {
    const inv = withTable(settled(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-c', tags: tagsAfter(settled(), run(standardInventory()), 'rtb-a') }));
    const p = run(inv);
    expect(routeMoves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toContain('external-change');
    expect(must(actionFor(p, 'rtb-a')).tags.set[TAGS.state]).toBe('failed-over');
  });

  it('needs nat-failover:home-az for a table whose subnets span AZs, or that has none', () => {
    const multi = withTable(standardInventory(), table('rtb-m', { subnetAzs: ['us-east-1a', 'us-east-1b'], v4: 'nat-a' }));
    const none = withTable(standardInventory(), table('rtb-n', { v4: 'nat-a' }));
    for (const [inv, id] of [[multi, 'rtb-m'], [none, 'rtb-n']] as const) {
      const p = run(withNat(inv, 'nat-a', { state: 'failed' }));
      expect(kinds(p, id)).toEqual(['skipped-table']);
      expect(actionFor(p, id)).toBeUndefined();
    }
  });

  it.each(['us-east-1b', 'use1-az2'])('manages a multi-AZ table whose home-az tag is %s', (homeAz) => {
    const inv = withNat(
      withTable(standardInventory(), table('rtb-m', { subnetAzs: ['us-east-1a', 'us-east-1b'], v4: 'nat-b', tags: { [TAGS.homeAz]: homeAz } })),
      'nat-b',
      { state: 'failed' },
    );
    const p = run(inv);
    const moved = routeMoves(p).find((m) => m[0] === 'rtb-m');
    expect(moved?.slice(0, 3)).toEqual(['rtb-m', '0.0.0.0/0', 'nat-b']);
    expect(['nat-a', 'nat-c']).toContain(moved?.[3]);
    expect(p.tables.find((t) => t.routeTableId === 'rtb-m')?.homeAz).toBe('us-east-1b');
    // The person's tag is kept as written.
    expect(must(actionFor(p, 'rtb-m')).tags.set[TAGS.homeAz]).toBeUndefined();
  });

  it('skips a table whose home-az tag names no AZ of the region', () => {
    const inv = withTable(standardInventory(), table('rtb-m', { subnetAzs: ['us-east-1a'], v4: 'nat-a', tags: { [TAGS.homeAz]: 'eu-west-1a' } }));
    expect(kinds(run(inv), 'rtb-m')).toEqual(['skipped-table']);
  });

  it('steps aside from a table on a regional NAT gateway', () => {
    const inv: Inventory = {
      ...standardInventory(),
      natGateways: [...standardInventory().natGateways, natGw('nat-r', undefined, { availabilityMode: 'regional' })],
      routeTables: [table('rtb-r', { subnetAzs: ['us-east-1a'], v4: 'nat-r' })],
    };
    const p = run(inv);
    expect(p.actions).toEqual([]);
    expect(kinds(p, 'rtb-r')).toEqual(['regional-nat']);
  });

  it.each(['igw-0abc', 'tgw-0abc'])('leaves a table whose default route targets %s untouched', (target) => {
    const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: target })), 'nat-a', { state: 'failed' });
    const p = run(inv);
    expect(actionFor(p, 'rtb-a')).toBeUndefined();
    expect(kinds(p, 'rtb-a')).toEqual(['skipped-table']);
  });

  it('ignores a table without the managed tag', () => {
    const inv = withNat(withTable(standardInventory(), table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', managed: false })), 'nat-a', { state: 'failed' });
    const p = run(inv);
    expect(actionFor(p, 'rtb-a')).toBeUndefined();
    expect(p.tables.find((t) => t.routeTableId === 'rtb-a')?.mode).toBe('unmanaged');
  });

  it('rewrites only the managed destinations, never endpoint, transit or peering routes', () => {
    const t = table('rtb-a', {
      subnetAzs: ['us-east-1a'],
      v4: 'nat-a',
      extraRoutes: [route('pl-63a5400a', 'vpce-0abc'), route('10.1.0.0/16', 'tgw-0abc'), route('192.168.0.0/16', 'nat-a'), route('::/0', 'eigw-0abc')],
    });
    const p = run(withNat(withTable(standardInventory(), t), 'nat-a', { state: 'failed' }));
    expect(routeMoves(p)).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', 'nat-b']]);
  });
});

describe('regressions found by the property tests', () => {
  it('keeps a pinned table on its healthy current gateway when the explicit pin target is of another connectivity type', () => {
    // Prepare: rtb-a (public) pinned away from us-east-1a with target nat-p, a private gateway.
    const base = standardInventory();
    const inv: Inventory = {
      ...base,
      natGateways: [...base.natGateways, natGw('nat-p', 'us-east-1b', { connectivityType: 'private' })],
      routeTables: [
        table('rtb-a', {
          subnetAzs: ['us-east-1a'],
          v4: 'nat-b',
          tags: { [TAGS.state]: 'pinned', [TAGS.homeNat]: 'nat-a', [TAGS.pin]: 'away-from=us-east-1a by=ops target=nat-p', [TAGS.pinReason]: 'x' },
        }),
      ],
    };

    // Act
    const p = run(inv);

    // Assess: it stays (before the fix it moved to nat-c, then back to nat-b on the next run).
    expect(routeMoves(p)).toEqual([]);
  });
});

describe('review follow-ups', () => {
  it('keeps a table on a healthy second gateway of its home AZ when the home gateway turns soft-bad', () => {
    // Prepare: AZ a has nat-a (home, dropping packets) and nat-a2 (healthy); rtb-a is on nat-a2.
    const inv0 = standardInventory();
    const inv: Inventory = withTable(
      { ...inv0, natGateways: [...inv0.natGateways, natGw('nat-a2', 'us-east-1a')] },
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a2', tags: failedOverTags({ homeNat: 'nat-a', since: -600 }) }),
    );
    const metrics = healthyMetrics({ 'nat-a': series(5, DROPPING) }, ['nat-a', 'nat-a2', 'nat-b', 'nat-c']);

    // Act
    const p = run(inv, { metrics });

    // Assess: no cross-AZ move away from a healthy gateway.
    expect(routeMoves(p)).toEqual([]);
  });

  it('moves a NAT64 route left on a dead gateway ahead of soft-signal failovers, outside the change cap', () => {
    // Prepare: rtb-c's IPv4 is home on nat-c, its NAT64 still on nat-gone (a half-written move);
    // rtb-a's home nat-a is dropping packets (a soft failover, and first by table id). Only one
    // table may change.
    const inv0 = standardInventory();
    const inv: Inventory = withTable(
      { ...inv0, natGateways: [...inv0.natGateways, natGw('nat-gone', 'us-east-1b', { state: 'deleted' })] },
      table('rtb-c', { subnetAzs: ['us-east-1c'], v4: 'nat-c', v6: 'nat-gone' }),
    );
    const metrics = healthyMetrics({ 'nat-a': series(5, DROPPING) });

    // Act
    const p = run(inv, { metrics }, { maxChangesPerRun: 1 });

    // Assess: the stray NAT64 route is a hard evacuation (first, and not counted); the soft
    // failover takes the one capped slot.
    expect(routeMoves(p).map((m) => [m[0], m[1]])).toEqual([['rtb-c', '64:ff9b::/96'], ['rtb-a', '0.0.0.0/0']]);
    expect(must(actionFor(p, 'rtb-c')).changeClass).toBe('hard-evacuation');
    expect(must(actionFor(p, 'rtb-a')).changeClass).toBe('capped');
    expect(kinds(p)).not.toContain('deferred-by-change-cap');
  });
});
