import { handleManual, type ManualResult, type StatusResult } from '../../src/manual/actions';
import { CONFIG, deps, NAT, NOW, region, VPC } from './world';
import { render, table } from '../../src/manual/render';
import { ThrottledError } from '../../src/errors';

const status: StatusResult = {
  ok: true,
  action: 'status',
  at: '2026-11-23T12:00:00.000Z',
  vpcId: null,
  metricsJudged: null,
  tables: [
    { routeTableId: 'rtb-1', vpcId: 'vpc-1', az: 'us-east-1a', homeGateway: 'nat-a', currentTarget: 'nat-b', state: 'pinned', since: '2026-11-23T11:00:00.000Z', why: 'pinned away', next: null, pin: { awayFrom: 'us-east-1a', target: null, until: '2026-11-23T14:00:00.000Z', reason: 'CHG', by: 'ops' }, endpoints: { present: ['s3'], missing: ['dynamodb'] }, egress: [{ natGatewayId: 'nat-a', role: 'home', ips: ['192.0.2.1'] }, { natGatewayId: 'nat-b', role: 'target', ips: ['192.0.2.2', '192.0.2.12'] }] },
    { routeTableId: 'rtb-22', vpcId: 'vpc-1', az: 'us-east-1b', homeGateway: 'nat-b', currentTarget: 'nat-b', state: 'home', since: null, why: null, next: 'nat-c', pin: null, endpoints: null, egress: [{ natGatewayId: 'nat-b', role: 'home', ips: null }] },
  ],
  gateways: [{ natGatewayId: 'nat-a', vpcId: 'vpc-1', az: 'us-east-1a', state: 'available', connectivity: 'public', availabilityMode: 'zonal', health: 'unknown', signals: ['no judged traffic minutes (silence is unknown)'], tablesServed: 0, headroom: { ips: ['192.0.2.1'], activeConnections: 50_000, portAllocationErrors: 0, limit: 55_000, verdict: 'short', detail: 'short' } },
    { natGatewayId: 'nat-b', vpcId: 'vpc-1', az: 'us-east-1b', state: 'available', connectivity: 'public', availabilityMode: 'zonal', health: 'healthy', signals: ['ok'], tablesServed: 1, headroom: { ips: null, activeConnections: null, portAllocationErrors: 7, limit: null, verdict: 'port-errors', detail: 'p' } },
  ],
  regionalVpcs: [{ vpcId: 'vpc-9', natGatewayIds: ['nat-r'], note: 'regional NAT gateway spans AZs itself: needs no failover' }],
  endpointAudit: { flagged: [{ routeTableId: 'rtb-1', vpcId: 'vpc-1', present: ['s3'], missing: ['dynamodb'] }], note: 'n' },
  findings: [{ kind: 'hold-down', routeTableId: 'rtb-1', message: 'restore after 600s' }],
};

const probed: StatusResult = {
  ...status,
  tables: [{ ...status.tables[0]!, restoreProof: 'home probes failing (last at 2026-11-23T11:59:05Z): recovery unproven' }, status.tables[1]!],
  probes: {
    configured: true,
    zones: [
      { vpcId: 'vpc-1', az: 'us-east-1a', verdict: 'bad', lastVerdict: 'failed', lastAt: '2026-11-23T11:59:05.000Z', lastSource: 'event', roundsFailed: 3, roundsCounted: 3, provenSince: null, counts: true },
      { vpcId: 'vpc-1', az: 'us-east-1b', verdict: 'ok', lastVerdict: 'ok', lastAt: '2026-11-23T11:58:00.000Z', lastSource: 'metric', roundsFailed: 0, roundsCounted: 3, provenSince: '2026-11-23T10:00:00.000Z', counts: false },
    ],
  },
};

describe('rendering', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(table(['A', 'BB'], [['xxx', 'y'], ['z', 'long value']])).toBe('A    BB\n---  ----------\nxxx  y\nz    long value');
  });

  it('status: tables with pin expiry and next target, gateways, regional VPCs, audit and findings', () => {
    const text = render(status);
    expect(text).toMatch(/^rtb-1 +vpc-1 +us-east-1a +nat-a +nat-b +pinned until 2026-11-23T14:00:00Z +2026-11-23T11:00:00Z +pinned away$/m);
    expect(text).toMatch(/^rtb-22 +vpc-1 +us-east-1b +nat-b +nat-b \(next: nat-c\) +home +- +-$/m);
    expect(text).toMatch(/^nat-a +vpc-1 +us-east-1a +available +zonal\/public +unknown +0 +1 +short 50,000\/55,000 +no judged traffic minutes/m);
    expect(text).toMatch(/^nat-b +vpc-1 +us-east-1b +available +zonal\/public +healthy +1 +\? +port-errors \(7\) +ok$/m);
    // Every IP each table may egress from, home and targets, so allow-lists can be completed ahead.
    expect(text).toMatch(/^rtb-1 +nat-a +home +192\.0\.2\.1$/m);
    expect(text).toMatch(/^rtb-1 +nat-b +target +192\.0\.2\.2, 192\.0\.2\.12$/m);
    expect(text).toMatch(/^rtb-22 +nat-b +home +not observed$/m);
    expect(text).toContain('vpc-9: nat-r: regional NAT gateway spans AZs itself: needs no failover');
    expect(text).toContain('rtb-1 (vpc-1): no dynamodb gateway endpoint route');
    expect(text).toContain('hold-down rtb-1: restore after 600s');
  });

  it('status with probes: per AZ the last verdict, when, rounds failed and the proof; per away table whether a restore is proven', () => {
    const text = render(probed);
    expect(text).toMatch(/^vpc-1 +us-east-1a +bad \(counts\) +failed \(event\) +2026-11-23T11:59:05Z +3 of 3 +-$/m);
    expect(text).toMatch(/^vpc-1 +us-east-1b +ok +ok \(metric\) +2026-11-23T11:58:00Z +0 of 3 +2026-11-23T10:00:00Z$/m);
    expect(text).toContain('rtb-1 (us-east-1a): home probes failing (last at 2026-11-23T11:59:05Z): recovery unproven');
  });

  it('status without probes says restores are unproven', () => {
    expect(render({ ...status, probes: { configured: false, zones: [] } })).toContain('not configured (PROBES=off): restores rest on the hold-down alone and are unproven');
  });

  // The function's own text rendering (serverless invoke local readers); the CLI prints errors in
  // its one style instead (src/cli/failure.ts).
  it('an error is one line naming the field and the code', () => {
    const err: ManualResult = { ok: false, action: 'failover', error: { code: 'invalid-request', field: 'target', message: 'target: nat-a is in us-east-1a' } };
    expect(render(err)).toBe('error in target (invalid-request): nat-a is in us-east-1a');
  });
});

describe('status: ErrorPortAllocation', () => {
  it('shows port allocation errors as an info line on the gateway, from the minutes its metric read judged, without changing its health', async () => {
    // Prepare: CloudWatch has 12 port allocation errors for nat-a, none for the others.
    const asked: unknown[] = [];
    const portAllocation = { readPortAllocationErrors: async (...args: unknown[]) => (asked.push(args), new Map()) };
    const cloud = region();
    const base = deps(cloud);
    const without = await handleManual(base, CONFIG, { action: 'status' });
    cloud.capacity.set(NAT.a, { portAllocationErrors: 12, activeConnections: 100 });
    cloud.capacity.set(NAT.b, { portAllocationErrors: 0, activeConnections: 100 });

    // Act
    const res = await handleManual({ ...base, portAllocation }, CONFIG, { action: 'status' });

    // Assess: status's own metric read carried the errors (capacity): no second request.
    expect(asked).toStrictEqual([]);
    const reads = cloud.calls.filter((c) => c.op === 'readMetrics');
    expect(reads.at(-1)!.args[3]).toStrictEqual({ capacity: true });
    if (!res.ok || res.action !== 'status' || !without.ok || without.action !== 'status') throw new Error('expected two status results');
    const line = 'info: port allocation errors: 12 in the minutes judged (11:53..11:58 UTC) — capacity, not failure; no failover';
    expect(res.gateways.find((g) => g.natGatewayId === NAT.a)?.signals).toContain(line);
    expect(res.gateways.filter((g) => g.signals.some((x) => x.includes('port allocation'))).map((g) => g.natGatewayId)).toStrictEqual([NAT.a]);
    expect(res.gateways.map((g) => g.health)).toStrictEqual(without.gateways.map((g) => g.health));
    expect(render(res)).toMatch(new RegExp(`^${NAT.a} .*port allocation errors: 12 in the minutes judged \\(11:53\\.\\.11:58 UTC\\) — capacity, not failure; no failover$`, 'm'));
  });

  it('without capacity (the metric read failed) falls back to its own read of the last 5 whole minutes', async () => {
    const asked: Array<{ nats: readonly string[]; start: string; end: string }> = [];
    const portAllocation = {
      readPortAllocationErrors: async (nats: readonly string[], start: Date, end: Date) => {
        asked.push({ nats, start: start.toISOString(), end: end.toISOString() });
        return new Map([[NAT.a, 12]]);
      },
    };
    const cloud = region();
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    const res = await handleManual({ ...deps(cloud), portAllocation }, CONFIG, { action: 'status' });
    expect(asked).toStrictEqual([{ nats: [NAT.a, NAT.b, NAT.c], start: '2026-11-23T11:55:00.000Z', end: '2026-11-23T12:00:00.000Z' }]);
    if (!res.ok || res.action !== 'status') throw new Error('expected a status result');
    expect(res.gateways.find((g) => g.natGatewayId === NAT.a)?.signals).toContain('info: port allocation errors: 12 in the last 5 min — capacity, not failure; no failover');
  });

  it('a failed read costs the line, not the status', async () => {
    const portAllocation = { readPortAllocationErrors: async () => Promise.reject(new Error('AccessDenied')) };
    const cloud = region();
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    const res = await handleManual({ ...deps(cloud), portAllocation }, CONFIG, { action: 'status' });
    expect(res.ok).toBe(true);
    expect(render(res)).not.toContain('port allocation');
  });
});

describe('status: probes (issue 13)', () => {
  it('with PROBES=on reads the probes and shows each AZ: verdict, last result and when, rounds failed, proof', async () => {
    // Prepare: us-east-1a's probes failed the last two minutes; b and c succeeded throughout.
    const cloud = region();
    const minute = (ago: number) => new Date(NOW.getTime() - ago * 60_000);
    const rounds = (failedAgo: readonly number[]) =>
      Array.from({ length: 15 }, (_, i) => 15 - i).map((ago) => ({ at: minute(ago), failed: failedAgo.includes(ago), rounds: 1, roundsFailed: failedAgo.includes(ago) ? 1 : 0, source: 'metric' as const }));
    const asked: string[] = [];
    Object.assign(cloud, {
      readProbeMetrics: async (zones: readonly { vpcId: string; az: string }[]) => {
        asked.push(...zones.map((z) => `${z.vpcId} ${z.az}`));
        return new Map([
          [`${VPC} us-east-1a`, rounds([2, 1])],
          [`${VPC} us-east-1b`, rounds([])],
          [`${VPC} us-east-1c`, rounds([])],
        ]);
      },
    });

    // Act
    const res = await handleManual(deps(cloud), { ...CONFIG, probes: 'on' }, { action: 'status' });

    // Assess
    if (!res.ok || res.action !== 'status') throw new Error(`expected a status result: ${JSON.stringify(res)}`);
    expect(asked).toStrictEqual([`${VPC} us-east-1a`, `${VPC} us-east-1b`, `${VPC} us-east-1c`]);
    expect(res.probes?.configured).toBe(true);
    const a = res.probes?.zones.find((z) => z.az === 'us-east-1a');
    expect(a).toMatchObject({ verdict: 'bad', lastVerdict: 'failed', lastAt: minute(1).toISOString(), roundsFailed: 2, roundsCounted: 3, provenSince: null, counts: true });
    expect(res.probes?.zones.find((z) => z.az === 'us-east-1b')).toMatchObject({ verdict: 'ok', provenSince: minute(15).toISOString() });
    expect(render(res)).toContain('PROBES (data path');
  });

  it('with PROBES=off says so, and an away table\'s restore is unproven', async () => {
    const res = await handleManual(deps(region()), CONFIG, { action: 'status' });
    if (!res.ok || res.action !== 'status') throw new Error('expected a status result');
    expect(res.probes).toStrictEqual({ configured: false, zones: [] });
  });
});
