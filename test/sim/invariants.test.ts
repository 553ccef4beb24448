/**
 * The change-cap invariants are not rubber stamps (issue 16): a report that defers a table on a
 * dead gateway, or writes more capped tables than the cap, is flagged; hard evacuations beyond
 * the cap are not.
 */
import { DEFAULTS, type Config } from '../../src/config';
import type { TableAction } from '../../src/core/types';
import type { RunReport } from '../../src/reconcile/controller';
import { InvariantChecker, tableHomes } from '../../src/sim/invariants';
import { SimRegion } from '../../src/sim/region';
import { buildWorld } from '../../src/sim/world';

const config: Config = { ...DEFAULTS, maxChangesPerRun: 1 };

function setUp() {
  const sim = new SimRegion(buildWorld({ tablesPerAz: 3, nat64: false }));
  const checker = new InvariantChecker(sim, config, tableHomes(sim, [config.managedTagKey, config.managedTagValue]));
  checker.beforeRun();
  return { sim, checker };
}

const action = (id: string, changeClass: TableAction['changeClass']): TableAction => ({
  routeTableId: id,
  vpcId: 'vpc-00000001',
  homeAz: 'us-east-1a',
  transition: 'failover',
  routes: [{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-b' }],
  tags: { set: {}, remove: [] },
  reasons: [],
  priority: 0,
  changeClass,
});

const report = (actions: TableAction[], deferred: string[] = []): RunReport =>
  ({
    plan: { at: new Date(), actions, tables: [], findings: deferred.map((id) => ({ kind: 'deferred-by-change-cap', routeTableId: id, message: 'deferred' })) },
    health: { gateways: new Map(), guardedVpcs: [] },
  }) as unknown as RunReport;

async function writeAll(sim: SimRegion, ids: string[]) {
  const before = sim.mutations.length;
  for (const id of ids) await sim.replaceRoute(id, '0.0.0.0/0', 'nat-b');
  return sim.mutations.slice(before);
}

describe('change-cap invariants', () => {
  it('do not count hard evacuations against the cap', async () => {
    const { sim, checker } = setUp();
    sim.setNatState('nat-a', 'deleted');
    const muts = await writeAll(sim, ['rtb-a1', 'rtb-a2', 'rtb-a3']);
    checker.afterRun(1, muts, report(['rtb-a1', 'rtb-a2', 'rtb-a3'].map((id) => action(id, 'hard-evacuation'))));
    expect(checker.violations.filter((v) => v.invariant === 'change-cap')).toEqual([]);
  });

  it('flag more capped tables than the cap in one run', async () => {
    const { sim, checker } = setUp();
    const muts = await writeAll(sim, ['rtb-a1', 'rtb-a2']);
    checker.afterRun(1, muts, report(['rtb-a1', 'rtb-a2'].map((id) => action(id, 'capped'))));
    expect(checker.violations.map((v) => v.invariant)).toContain('change-cap');
  });

  it('flag a table the cap left on a dead gateway', () => {
    const { sim, checker } = setUp();
    sim.setNatState('nat-a', 'deleted');
    checker.afterRun(1, [], report([], ['rtb-a1']));
    expect(checker.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([expect.stringMatching(/^hard-evacuation-uncapped: rtb-a1 0\.0\.0\.0\/0 left on nat-a by the change cap/)]);
  });

  it('accept a table the cap left on a healthy gateway (a soft signal, a restore)', () => {
    const { checker } = setUp();
    checker.afterRun(1, [], report([], ['rtb-a1']));
    expect(checker.violations).toEqual([]);
  });
});
