import { peerPolicy } from '../../src/core/baseline';
import { DEFAULTS } from '../../src/config';
import { assessHealth } from '../../src/core/health';
import type { MetricPoint, Observation, RouteTable } from '../../src/core/types';

const t0 = new Date('2026-01-01T00:10:00Z');
const nat = (id: string, az: string) => ({ id, vpcId: 'vpc-1', az, state: 'available' as const, connectivityType: 'public' as const, availabilityMode: 'zonal' as const });
const table = (target: string): RouteTable => ({
  id: 'rtb-a1',
  vpcId: 'vpc-1',
  tags: { 'nat-failover': 'enabled' },
  subnetAzs: ['a'],
  routes: [{ destination: '0.0.0.0/0', target: { kind: 'nat', id: target }, state: 'active' }],
});
const minute = (drops: number): MetricPoint => ({
  start: new Date(t0.getTime() - 180_000),
  values: { PacketsOutToDestination: 100_000, PacketsDropCount: drops, ConnectionAttemptCount: 1000, ConnectionEstablishedCount: 1000 },
});
const obs = (target: string, metrics: Record<string, MetricPoint[]>): Observation => ({
  now: t0,
  inventory: { zones: [{ name: 'a', id: 'z1', state: 'available' }, { name: 'b', id: 'z2', state: 'available' }], natGateways: [nat('nat-a', 'a'), nat('nat-b', 'b')], routeTables: [table(target)] },
  metrics: { start: new Date(t0.getTime() - 420_000), end: new Date(t0.getTime() - 120_000), byGateway: new Map(Object.entries(metrics)) },
  evacuations: [],
  alarms: [],
  unreadSignals: [],
});
const decide = (o: Observation) => peerPolicy(DEFAULTS)(o, assessHealth(o, DEFAULTS), DEFAULTS);

describe("the peers' rule", () => {
  it('fails over on a single bad minute (no M-of-N)', () => {
    const p = decide(obs('nat-a', { 'nat-a': [minute(5000)] }));
    expect(p.actions.map((a) => a.routes)).toEqual([[{ destination: '0.0.0.0/0', from: 'nat-a', to: 'nat-b' }]]);
  });

  it('goes home as soon as home shows no failure, even when home is silent', () => {
    const p = decide(obs('nat-b', {}));
    expect(p.actions[0]?.transition).toBe('restore');
    expect(p.actions[0]?.routes[0]?.to).toBe('nat-a');
  });

  it('writes no state tags', () => {
    const p = decide(obs('nat-a', { 'nat-a': [minute(5000)] }));
    expect(p.actions[0]?.tags).toEqual({ set: {}, remove: [] });
  });
});
