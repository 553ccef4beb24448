import { DEFAULTS, type Config } from '../../src/config';
import { reconcile } from '../../src/reconcile/controller';
import { CloudApiError } from '../../src/errors';
import { silentRecorder } from '../../src/reconcile/ports';
import { summarizeRun } from '../../src/reconcile/report';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const clock = { now: () => NOW, sleep: async () => {} };
const config: Config = { ...DEFAULTS };
const V4 = '0.0.0.0/0';
const V6 = '64:ff9b::/96';

/** Gateways in a, b and c, one managed table per AZ, all settled at home; nat-a has failed. */
async function regionWithFailedA(): Promise<MemoryCloud> {
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  cloud.addTable(managedTable('rtb-a', 'us-east-1a', 'nat-a'));
  cloud.addTable(managedTable('rtb-b', 'us-east-1b', 'nat-b'));
  cloud.addTable(managedTable('rtb-c', 'us-east-1c', 'nat-c'));
  // First run records the home state so later assertions see only the failover's writes.
  await reconcile({ cloud, clock, recorder: silentRecorder }, config);
  cloud.calls.length = 0;
  cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
  return cloud;
}

describe('act: compare-and-swap', () => {
  it('skips a table whose route someone changed between plan and write, then re-decides it from a fresh reading', async () => {
    // Prepare: a person moves rtb-a to nat-c after the controller read the inventory.
    const cloud = await regionWithFailedA();
    cloud.afterInventory = () => {
      cloud.tables.get('rtb-a')!.routes[0] = { destination: V4, target: { kind: 'nat', id: 'nat-c' }, state: 'active' };
      cloud.afterInventory = undefined;
    };

    // Act
    const report = await reconcile({ cloud, clock, recorder: silentRecorder }, config);

    // Assess
    const r = report.results.find((x) => x.action.routeTableId === 'rtb-a')!;
    expect(r.action.routes.map((c) => [c.destination, c.from, c.to])).toStrictEqual([
      [V4, 'nat-a', 'nat-b'],
      [V6, 'nat-a', 'nat-b'],
    ]);
    expect(r.status).toBe('conflict');
    expect(r.applied).toStrictEqual([]);
    expect(r.detail).toContain('now points at nat-c, expected nat-a');
    // Then the verify step reads the region afresh and re-decides the conflicted table from what is
    // there now: the person's IPv4 route stays on nat-c, the NAT64 route still on the dead gateway follows it.
    const redo = report.results.filter((x) => x.action.routeTableId === 'rtb-a').slice(1);
    expect(redo.map((x) => [x.status, x.action.routes.map((c) => [c.destination, c.from, c.to])])).toStrictEqual([['applied', [[V6, 'nat-a', 'nat-c']]]]);
    expect(cloud.calls.filter((c) => c.op === 'replaceRoute').map((c) => c.args)).toStrictEqual([['rtb-a', V6, 'nat-c']]);
    expect(cloud.target('rtb-a', V4)).toBe('nat-c');
    expect(cloud.target('rtb-a', V6)).toBe('nat-c');
  });
});

describe('act: dry run', () => {
  it('writes nothing yet reports the failover it would make', async () => {
    const cloud = await regionWithFailedA();

    const report = await reconcile({ cloud, clock, recorder: silentRecorder }, { ...config, dryRun: true });

    expect(cloud.count('replaceRoute')).toBe(0);
    expect(cloud.count('createTags')).toBe(0);
    expect(cloud.count('deleteTags')).toBe(0);
    expect(cloud.count('readRoutes')).toBe(0);
    expect(cloud.target('rtb-a', V4)).toBe('nat-a');
    const summary = summarizeRun(report);
    expect(summary.dryRun).toBe(true);
    expect(summary.changes).toStrictEqual([
      expect.objectContaining({
        routeTableId: 'rtb-a',
        transition: 'failover',
        status: 'dry-run',
        routes: [
          { destination: V4, from: 'nat-a', to: 'nat-b' },
          { destination: V6, from: 'nat-a', to: 'nat-b' },
        ],
      }),
    ]);
    expect(summary.changes[0]!.reasons.join(' ')).toContain('nat-a unhealthy: gateway state is failed');
  });
});

describe('act: a run that fails half-way', () => {
  it('IPv4 moved but NAT64 failed: state tags say failed over, and the next run moves NAT64 only', async () => {
    // Prepare
    const cloud = await regionWithFailedA();
    cloud.failReplace = (id, dest) => (id === 'rtb-a' && dest === V6 ? new CloudApiError('ReplaceRoute', 'InternalError', 'boom') : undefined);
    const deps = { cloud, clock, recorder: silentRecorder };

    // Act 1
    const first = await reconcile(deps, config);

    // Assess 1: the route that moved is recorded; the tags match where IPv4 points.
    const r1 = first.results.find((x) => x.action.routeTableId === 'rtb-a')!;
    expect(r1.status).toBe('failed');
    expect(r1.applied.map((c) => c.destination)).toStrictEqual([V4]);
    expect(cloud.target('rtb-a', V4)).toBe('nat-b');
    expect(cloud.target('rtb-a', V6)).toBe('nat-a');
    expect(cloud.tagsOf('rtb-a')).toMatchObject({ 'nat-failover:state': 'failed-over', 'nat-failover:home-nat': 'nat-a' });

    // Act 2: the fault is gone.
    cloud.failReplace = undefined;
    cloud.calls.length = 0;
    const second = await reconcile(deps, config);

    // Assess 2: only the NAT64 route moves, from where it really is.
    const moves = second.results.filter((x) => x.action.routes.length > 0);
    expect(moves.map((x) => [x.action.routeTableId, x.status, x.action.routes])).toStrictEqual([
      ['rtb-a', 'applied', [{ destination: V6, from: 'nat-a', to: 'nat-b' }]],
    ]);
    expect(cloud.target('rtb-a', V6)).toBe('nat-b');
    expect(cloud.tagsOf('rtb-a')['nat-failover:state']).toBe('failed-over');

    // Act 3: converged, so nothing left to do.
    cloud.calls.length = 0;
    const third = await reconcile(deps, config);
    expect(third.plan.actions).toStrictEqual([]);
    expect(cloud.count('replaceRoute') + cloud.count('createTags') + cloud.count('deleteTags')).toBe(0);
  });

  it('IPv4 failed: no state tags are written, and the next run completes the failover', async () => {
    const cloud = await regionWithFailedA();
    const tagsBefore = cloud.tagsOf('rtb-a');
    cloud.failReplace = (id, dest) => (id === 'rtb-a' && dest === V4 ? new CloudApiError('ReplaceRoute', 'InternalError', 'boom') : undefined);
    const deps = { cloud, clock, recorder: silentRecorder };

    const first = await reconcile(deps, config);

    expect(first.results.find((x) => x.action.routeTableId === 'rtb-a')!.status).toBe('failed');
    expect(cloud.target('rtb-a', V4)).toBe('nat-a');
    expect(cloud.target('rtb-a', V6)).toBe('nat-a');
    expect(cloud.tagsOf('rtb-a')).toStrictEqual(tagsBefore);

    cloud.failReplace = undefined;
    await reconcile(deps, config);

    expect(cloud.target('rtb-a', V4)).toBe('nat-b');
    expect(cloud.target('rtb-a', V6)).toBe('nat-b');
    expect(cloud.tagsOf('rtb-a')['nat-failover:state']).toBe('failed-over');
  });
});

describe('act: tag writes', () => {
  it('writes one CreateTags for many tables that need the same tags', async () => {
    // Prepare: five tables in AZ a, only AZ b to fail over to, so every table gets the same state.
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b')]);
    const ids = ['rtb-a1', 'rtb-a2', 'rtb-a3', 'rtb-a4', 'rtb-a5'];
    for (const id of ids) cloud.addTable(managedTable(id, 'us-east-1a', 'nat-a'));
    await reconcile({ cloud, clock, recorder: silentRecorder }, config);
    cloud.calls.length = 0;
    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b')];

    // Act
    const report = await reconcile({ cloud, clock, recorder: silentRecorder }, config);

    // Assess
    expect(report.results.map((r) => r.status)).toStrictEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(cloud.count('replaceRoute')).toBe(10);
    const creates = cloud.calls.filter((c) => c.op === 'createTags');
    expect(creates).toHaveLength(1);
    expect([...(creates[0]!.args[0] as string[])].sort()).toStrictEqual(ids);
    for (const id of ids) expect(cloud.tagsOf(id)['nat-failover:state']).toBe('failed-over');
  });
});

describe('act: migrating legacy state keys (issue 10, item 5)', () => {
  // A table pinned by a release that wrote the pin in five keys and the restore time apart.
  const legacy = {
    'nat-failover': 'enabled',
    'nat-failover:state': 'pinned',
    'nat-failover:home-nat': 'nat-a',
    'nat-failover:flaps': '1',
    'nat-failover:last-restore': '2026-11-23T11:30:00.000Z',
    'nat-failover:pin-away-from': 'us-east-1a',
    'nat-failover:pin-until': '2026-11-23T18:00:00.000Z',
    'nat-failover:pin-reason': 'patching',
    'nat-failover:pin-by': 'ops',
  };
  const region = () => {
    const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b')]);
    cloud.addTable({ ...managedTable('rtb-a', 'us-east-1a', 'nat-b'), tags: legacy });
    return cloud;
  };

  it('writes the new keys before it deletes the legacy ones', async () => {
    const cloud = region();
    await reconcile({ cloud, clock, recorder: silentRecorder }, config);
    const ops = cloud.calls.filter((c) => c.op === 'createTags' || c.op === 'deleteTags');
    expect(ops.map((c) => c.op)).toEqual(['createTags', 'deleteTags']);
    expect(ops[1]!.args[1]).toEqual(['nat-failover:last-restore', 'nat-failover:pin-away-from', 'nat-failover:pin-by', 'nat-failover:pin-until']);
    const tags = cloud.tagsOf('rtb-a');
    expect(tags['nat-failover:pin']).toBe('away-from=us-east-1a until=2026-11-23T18:00:00.000Z by=ops');
    expect(tags['nat-failover:flaps']).toBe('1@2026-11-23T11:30:00.000Z');
    expect(Object.keys(tags).filter((k) => k.startsWith('nat-failover:')).sort()).toEqual(
      ['nat-failover:flaps', 'nat-failover:home-nat', 'nat-failover:home-ok-since', 'nat-failover:pin', 'nat-failover:pin-reason', 'nat-failover:reason', 'nat-failover:since', 'nat-failover:state'],
    );
  });

  it('deletes nothing from a table whose CreateTags failed, so the pin survives in the legacy keys', async () => {
    const cloud = region();
    cloud.createTags = async (ids, tags) => {
      cloud.calls.push({ op: 'createTags', args: [ids, tags] });
      throw new CloudApiError('CreateTags', 'RequestLimitExceeded', 'throttled');
    };
    const report = await reconcile({ cloud, clock, recorder: silentRecorder }, config);
    expect(cloud.count('deleteTags')).toBe(0);
    expect(cloud.tagsOf('rtb-a')).toEqual(legacy);
    expect(report.results.find((r) => r.action.routeTableId === 'rtb-a')).toMatchObject({ status: 'failed' });
  });
});
