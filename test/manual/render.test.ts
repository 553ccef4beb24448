import { handleManual, type ManualResult, type StatusResult } from '../../src/manual/actions';
import { CONFIG, deps, NAT, region } from './world';
import { render, table } from '../../src/manual/render';

const status: StatusResult = {
  ok: true,
  action: 'status',
  at: '2026-11-23T12:00:00.000Z',
  vpcId: null,
  metricsJudged: null,
  tables: [
    { routeTableId: 'rtb-1', vpcId: 'vpc-1', az: 'us-east-1a', homeGateway: 'nat-a', currentTarget: 'nat-b', state: 'pinned', since: '2026-11-23T11:00:00.000Z', why: 'pinned away', next: null, pin: { awayFrom: 'us-east-1a', target: null, until: '2026-11-23T14:00:00.000Z', reason: 'CHG', by: 'ops' }, endpoints: { present: ['s3'], missing: ['dynamodb'] } },
    { routeTableId: 'rtb-22', vpcId: 'vpc-1', az: 'us-east-1b', homeGateway: 'nat-b', currentTarget: 'nat-b', state: 'home', since: null, why: null, next: 'nat-c', pin: null, endpoints: null },
  ],
  gateways: [{ natGatewayId: 'nat-a', vpcId: 'vpc-1', az: 'us-east-1a', state: 'available', connectivity: 'public', availabilityMode: 'zonal', health: 'unknown', signals: ['no judged traffic minutes (silence is unknown)'], tablesServed: 0 }],
  regionalVpcs: [{ vpcId: 'vpc-9', natGatewayIds: ['nat-r'], note: 'regional NAT gateway spans AZs itself: needs no failover' }],
  endpointAudit: { flagged: [{ routeTableId: 'rtb-1', vpcId: 'vpc-1', present: ['s3'], missing: ['dynamodb'] }], note: 'n' },
  findings: [{ kind: 'hold-down', routeTableId: 'rtb-1', message: 'restore after 600s' }],
};

describe('rendering', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(table(['A', 'BB'], [['xxx', 'y'], ['z', 'long value']])).toBe('A    BB\n---  ----------\nxxx  y\nz    long value');
  });

  it('status: tables with pin expiry and next target, gateways, regional VPCs, audit and findings', () => {
    const text = render(status);
    expect(text).toMatch(/^rtb-1 +vpc-1 +us-east-1a +nat-a +nat-b +pinned until 2026-11-23T14:00:00Z +2026-11-23T11:00:00Z +pinned away$/m);
    expect(text).toMatch(/^rtb-22 +vpc-1 +us-east-1b +nat-b +nat-b \(next: nat-c\) +home +- +-$/m);
    expect(text).toMatch(/^nat-a +vpc-1 +us-east-1a +available +zonal\/public +unknown +0 +no judged traffic minutes/m);
    expect(text).toContain('vpc-9: nat-r: regional NAT gateway spans AZs itself: needs no failover');
    expect(text).toContain('rtb-1 (vpc-1): no dynamodb gateway endpoint route');
    expect(text).toContain('hold-down rtb-1: restore after 600s');
  });

  // The function's own text rendering (serverless invoke local readers); the CLI prints errors in
  // its one style instead (src/cli/failure.ts).
  it('an error is one line naming the field and the code', () => {
    const err: ManualResult = { ok: false, action: 'failover', error: { code: 'invalid-request', field: 'target', message: 'target: nat-a is in us-east-1a' } };
    expect(render(err)).toBe('error in target (invalid-request): nat-a is in us-east-1a');
  });
});

describe('status: ErrorPortAllocation', () => {
  it('shows port allocation errors as an info line on the gateway, read for the last 5 whole minutes, without changing its health', async () => {
    // Prepare: CloudWatch has 12 port allocation errors for nat-a, none for the others.
    const asked: Array<{ nats: readonly string[]; start: string; end: string }> = [];
    const portAllocation = {
      readPortAllocationErrors: async (nats: readonly string[], start: Date, end: Date) => {
        asked.push({ nats, start: start.toISOString(), end: end.toISOString() });
        return new Map([[NAT.a, 12]]);
      },
    };
    const base = deps(region());
    const without = await handleManual(base, CONFIG, { action: 'status' });

    // Act
    const res = await handleManual({ ...base, portAllocation }, CONFIG, { action: 'status' });

    // Assess
    expect(asked).toStrictEqual([{ nats: [NAT.a, NAT.b, NAT.c], start: '2026-11-23T11:55:00.000Z', end: '2026-11-23T12:00:00.000Z' }]);
    if (!res.ok || res.action !== 'status' || !without.ok || without.action !== 'status') throw new Error('expected two status results');
    const line = 'info: port allocation errors: 12 in the last 5 min — capacity, not failure; no failover';
    expect(res.gateways.find((g) => g.natGatewayId === NAT.a)?.signals).toContain(line);
    expect(res.gateways.filter((g) => g.signals.some((x) => x.includes('port allocation'))).map((g) => g.natGatewayId)).toStrictEqual([NAT.a]);
    expect(res.gateways.map((g) => g.health)).toStrictEqual(without.gateways.map((g) => g.health));
    expect(render(res)).toMatch(new RegExp(`^${NAT.a} .*port allocation errors: 12 in the last 5 min — capacity, not failure; no failover$`, 'm'));
  });

  it('a failed read costs the line, not the status', async () => {
    const portAllocation = { readPortAllocationErrors: async () => Promise.reject(new Error('AccessDenied')) };
    const res = await handleManual({ ...deps(region()), portAllocation }, CONFIG, { action: 'status' });
    expect(res.ok).toBe(true);
    expect(render(res)).not.toContain('port allocation');
  });
});
