import { assessHealth, explainHealth, isEligibleTarget, judgeSoft } from '../../src/core/health';
import type { GatewayHealth, MetricPoint, Zone } from '../../src/core/types';
import {
  DROPPING,
  GOOD,
  NOW,
  VPC2,
  at,
  config,
  healthyMetrics,
  metricWindow,
  minute,
  natGw,
  observation,
  route,
  series,
  standardInventory,
  table,
  withNat,
  withTable,
  withZone,
} from './fixtures';

const gw = (report: ReturnType<typeof assessHealth>, id: string): GatewayHealth => {
  const h = report.gateways.get(id);
  if (!h) throw new Error(`no health for ${id}`);
  return h;
};

describe('hard signals', () => {
  const natStates = ['pending', 'failed', 'deleting', 'deleted'] as const;
  it.each(natStates)('a gateway in state %s is hard-unhealthy', (state) => {
    // Prepare
    const obs = observation(withNat(standardInventory(), 'nat-a', { state }));

    // Act
    const h = gw(assessHealth(obs, config()), 'nat-a');

    // Assess
    expect(h.hard.map((s) => s.kind)).toEqual(['nat-state']);
    expect(isEligibleTarget(natGw('nat-a', 'us-east-1a', { state }), h)).toBe(false);
  });

  it('an available gateway in a clear AZ has no hard signal', () => {
    const h = gw(assessHealth(observation(standardInventory()), config()), 'nat-a');
    expect(h.hard).toEqual([]);
  });

  it('a blackhole route to a gateway is a hard signal for that gateway only', () => {
    // Prepare
    const inv = withTable(standardInventory(), {
      ...table('rtb-a', { subnetAzs: ['us-east-1a'] }),
      routes: [route('0.0.0.0/0', 'nat-a', { state: 'blackhole' })],
    });

    // Act
    const report = assessHealth(observation(inv), config());

    // Assess
    expect(gw(report, 'nat-a').hard.map((s) => s.kind)).toEqual(['blackhole-route']);
    expect(gw(report, 'nat-b').hard).toEqual([]);
  });

  const zoneStates: ReadonlyArray<[Zone['state'], boolean]> = [
    ['impaired', true],
    ['unavailable', true],
    ['information', false],
    ['constrained', false],
    ['available', false],
  ];
  it.each(zoneStates)('an AZ in state %s is hard for its gateways: %s', (state, hard) => {
    // Act
    const report = assessHealth(observation(withZone(standardInventory(), 'us-east-1b', state)), config());

    // Assess
    expect(gw(report, 'nat-b').hard.some((s) => s.kind === 'az-state')).toBe(hard);
    expect(gw(report, 'nat-a').hard).toEqual([]);
  });

  it('an open evacuation of an AZ is hard for the gateways in that AZ', () => {
    // Prepare
    const obs = observation(standardInventory(), {
      evacuations: [{ az: 'us-east-1c', source: 'arc-zonal-shift', id: 'shift-1', since: at(-120) }],
    });

    // Act
    const report = assessHealth(obs, config());

    // Assess
    expect(gw(report, 'nat-c').hard.map((s) => s.kind)).toEqual(['az-evacuation']);
    expect(gw(report, 'nat-c').hard[0]!.detail).toContain('shift-1');
    expect(gw(report, 'nat-b').hard).toEqual([]);
  });

  it('hard signals stand even when the metrics look perfect', () => {
    const obs = observation(withZone(standardInventory(), 'us-east-1a', 'impaired'), { metrics: healthyMetrics() });
    const h = gw(assessHealth(obs, config()), 'nat-a');
    expect(h.soft).toBe('ok');
    expect(isEligibleTarget(natGw('nat-a', 'us-east-1a'), h)).toBe(false);
  });
});

describe('soft rules: M of the last N one-minute periods (default 3 of 5)', () => {
  const rules = config();
  const judge = (points: MetricPoint[]) => judgeSoft(points, rules, NOW);

  it('is bad with exactly M bad minutes', () => {
    const r = judge(series(3, DROPPING));
    expect(r.verdict).toBe('bad');
    expect(r.signals.map((s) => s.kind)).toEqual(['packet-drops']);
  });

  it('is ok with M-1 bad minutes among judged ones', () => {
    expect(judge(series(2, DROPPING)).verdict).toBe('ok');
  });

  it('counts bad minutes anywhere in the window, not only consecutive ones', () => {
    const points = [0, 1, 2, 3, 4].map((i) => minute(i, i % 2 === 0 ? DROPPING : GOOD));
    expect(judge(points).verdict).toBe('bad');
  });

  it('treats a ratio exactly at the threshold as good (strictly above is bad)', () => {
    const atThreshold = { PacketsOutToDestination: 100_000, PacketsDropCount: 100 }; // 0.1 %
    const justAbove = { PacketsOutToDestination: 100_000, PacketsDropCount: 101 };
    expect(judge(series(5, atThreshold)).verdict).toBe('ok');
    expect(judge(series(5, justAbove)).verdict).toBe('bad');
  });

  it('does not judge low-volume minutes, so a quiet gateway is unknown, not bad', () => {
    // 50 % drops, but only 100 packets a minute: below PACKET_DROP_MIN_PACKETS (1000).
    const quiet = { PacketsOutToDestination: 100, PacketsDropCount: 50 };
    const r = judge(series(5, quiet));
    expect(r.verdict).toBe('unknown');
  });

  it('judges a connection collapse only with enough attempts', () => {
    const collapsed = { ConnectionAttemptCount: 1000, ConnectionEstablishedCount: 100 };
    const fewAttempts = { ConnectionAttemptCount: 99, ConnectionEstablishedCount: 0 };
    expect(judge(series(3, collapsed)).signals.map((s) => s.kind)).toEqual(['connection-failures']);
    expect(judge(series(5, fewAttempts)).verdict).toBe('unknown');
  });

  it('says unknown, never ok, when data is missing', () => {
    expect(judge([]).verdict).toBe('unknown');
    // Only M-1 minutes judged (others absent): not enough to call it healthy.
    expect(judge([minute(3, GOOD), minute(4, GOOD)]).verdict).toBe('unknown');
    // A minute with only one of the pair of metrics is not judged either.
    expect(judge(series(5, { PacketsOutToDestination: 100_000 })).verdict).toBe('unknown');
  });

  it('is ok with M judged good minutes even if others are missing', () => {
    expect(judge([minute(2, GOOD), minute(3, GOOD), minute(4, GOOD)]).verdict).toBe('ok');
  });

  it('uses only the last N minutes before the window end, even when older minutes are present', () => {
    // Three bad minutes long ago, then two good ones inside the window: the old trouble is over.
    const old = [-8, -7, -6].map((i) => minute(i, DROPPING));
    const recent = [minute(3, GOOD), minute(4, GOOD)];
    expect(judge([...old, ...recent]).verdict).toBe('unknown');
  });

  it('ignores a minute at or after the window end (incomplete data)', () => {
    const points = [...series(2, DROPPING), minute(5, DROPPING)];
    expect(judge(points).verdict).toBe('ok');
  });

  it('with N=3, M=3, needs every minute bad', () => {
    const r = config({ softWindowPeriods: 3, softBadPeriods: 3 });
    expect(judgeSoft(series(3, DROPPING, 3), r, NOW).verdict).toBe('bad');
    expect(judgeSoft(series(2, DROPPING, 3), r, NOW).verdict).toBe('ok');
  });

  it('is unknown for every gateway when metrics were not read this run', () => {
    const report = assessHealth(observation(standardInventory()), config());
    expect([...report.gateways.values()].map((h) => h.soft)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(report.periodsJudged).toBeUndefined();
  });

  it('reports the periods it judged', () => {
    const report = assessHealth(observation(standardInventory(), { metrics: healthyMetrics() }), config());
    expect(report.periodsJudged).toEqual({ start: at(-300), end: NOW });
  });

  it('an unknown gateway is still an eligible target (unknown is not bad)', () => {
    const h = gw(assessHealth(observation(standardInventory()), config()), 'nat-b');
    expect(isEligibleTarget(natGw('nat-b', 'us-east-1b'), h)).toBe(true);
  });
});

describe('alarms', () => {
  it('an alarm in ALARM makes its gateway soft-bad at once, without M of N', () => {
    // Prepare
    const obs = observation(standardInventory(), {
      metrics: healthyMetrics(),
      alarms: [{ natGatewayId: 'nat-b', alarmName: 'nat-b-drops', since: at(-30) }],
    });

    // Act
    const report = assessHealth(obs, config());

    // Assess
    expect(gw(report, 'nat-b').soft).toBe('bad');
    expect(gw(report, 'nat-b').softSignals.map((s) => s.kind)).toEqual(['alarm']);
    expect(gw(report, 'nat-b').hard).toEqual([]);
    expect(gw(report, 'nat-a').soft).toBe('ok');
  });
});

describe('static-stability guard', () => {
  it('sets aside soft verdicts when more than half of a VPC\'s gateways look soft-bad', () => {
    // Prepare: 2 of 3 dropping.
    const obs = observation(standardInventory(), {
      metrics: healthyMetrics({ 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING) }),
    });

    // Act
    const report = assessHealth(obs, config());

    // Assess
    expect(report.guardedVpcs).toEqual(['vpc-11111111']);
    expect(gw(report, 'nat-a')).toMatchObject({ soft: 'unknown', softSuppressed: true });
    expect(gw(report, 'nat-b')).toMatchObject({ soft: 'unknown', softSuppressed: true });
    expect(gw(report, 'nat-c')).toMatchObject({ soft: 'ok', softSuppressed: false });
  });

  it('does not engage when exactly half look soft-bad', () => {
    const inv = { ...standardInventory(), natGateways: [...standardInventory().natGateways, natGw('nat-d', 'us-east-1c')] };
    const obs = observation(inv, {
      metrics: healthyMetrics({ 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING) }, ['nat-a', 'nat-b', 'nat-c', 'nat-d']),
    });
    const report = assessHealth(obs, config());
    expect(report.guardedVpcs).toEqual([]);
    expect(gw(report, 'nat-a').soft).toBe('bad');
  });

  it('does not engage with one bad gateway out of three', () => {
    const obs = observation(standardInventory(), { metrics: healthyMetrics({ 'nat-a': series(5, DROPPING) }) });
    const report = assessHealth(obs, config());
    expect(report.guardedVpcs).toEqual([]);
    expect(gw(report, 'nat-a').soft).toBe('bad');
  });

  it('counts alarms as soft-bad for the guard', () => {
    const obs = observation(standardInventory(), {
      metrics: healthyMetrics(),
      alarms: [
        { natGatewayId: 'nat-a', alarmName: 'a', since: NOW },
        { natGatewayId: 'nat-b', alarmName: 'b', since: NOW },
      ],
    });
    expect(assessHealth(obs, config()).guardedVpcs).toEqual(['vpc-11111111']);
  });

  it('keeps hard signals acting while soft verdicts are suppressed', () => {
    // Prepare: every gateway soft-bad, and us-east-1a impaired.
    const inv = withZone(standardInventory(), 'us-east-1a', 'impaired');
    const obs = observation(inv, {
      metrics: metricWindow({ 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING), 'nat-c': series(5, DROPPING) }),
    });

    // Act
    const report = assessHealth(obs, config());

    // Assess
    expect(report.guardedVpcs).toEqual(['vpc-11111111']);
    expect(gw(report, 'nat-a').hard.map((s) => s.kind)).toEqual(['az-state']);
    expect(isEligibleTarget(natGw('nat-a', 'us-east-1a'), gw(report, 'nat-a'))).toBe(false);
    expect(isEligibleTarget(natGw('nat-b', 'us-east-1b'), gw(report, 'nat-b'))).toBe(true);
  });

  it('is judged per VPC: a bad VPC does not guard a healthy one', () => {
    // Prepare: a second VPC with two gateways, one of them dropping.
    const base = standardInventory();
    const inv = {
      ...base,
      natGateways: [
        ...base.natGateways,
        natGw('nat-x', 'us-east-1a', { vpcId: VPC2 }),
        natGw('nat-y', 'us-east-1b', { vpcId: VPC2 }),
        natGw('nat-z', 'us-east-1c', { vpcId: VPC2 }),
      ],
    };
    const obs = observation(inv, {
      metrics: healthyMetrics(
        { 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING), 'nat-x': series(5, DROPPING) },
        ['nat-a', 'nat-b', 'nat-c', 'nat-x', 'nat-y', 'nat-z'],
      ),
    });

    // Act
    const report = assessHealth(obs, config());

    // Assess
    expect(report.guardedVpcs).toEqual(['vpc-11111111']);
    expect(gw(report, 'nat-x')).toMatchObject({ soft: 'bad', softSuppressed: false });
  });

  it('counts only available zonal gateways: a dead gateway does not dilute the majority', () => {
    // nat-c is deleted; of the two live ones, both soft-bad: more than half.
    const inv = withNat(standardInventory(), 'nat-c', { state: 'deleted' });
    const obs = observation(inv, { metrics: healthyMetrics({ 'nat-a': series(5, DROPPING), 'nat-b': series(5, DROPPING) }) });
    expect(assessHealth(obs, config()).guardedVpcs).toEqual(['vpc-11111111']);
  });

  it('never guards a VPC with a single gateway', () => {
    const inv = { ...standardInventory(), natGateways: [natGw('nat-a', 'us-east-1a')] };
    const obs = observation(inv, { metrics: metricWindow({ 'nat-a': series(5, DROPPING) }) });
    const report = assessHealth(obs, config());
    expect(report.guardedVpcs).toEqual([]);
    expect(gw(report, 'nat-a').soft).toBe('bad');
  });
});

describe('explainHealth (one wording for the planner and the manual function)', () => {
  const h = (over: Partial<GatewayHealth>): GatewayHealth => ({ natGatewayId: 'nat-a', hard: [], soft: 'ok', softSignals: [], info: [], softSuppressed: false, ...over });
  const drop = { kind: 'packet-drops' as const, strength: 'soft' as const, detail: 'drops' };

  it('lists hard signals, then soft ones only while they count', () => {
    const hard = [{ kind: 'nat-state' as const, strength: 'hard' as const, detail: 'gateway state is failed' }];
    expect(explainHealth(natGw('nat-a', 'us-east-1a', { state: 'failed' }), h({ hard, soft: 'bad', softSignals: [drop] }))).toBe('gateway state is failed; drops');
    // Set aside by the static-stability guard (soft now unknown): not a reason.
    expect(explainHealth(natGw('nat-a', 'us-east-1a'), h({ soft: 'unknown', softSignals: [drop], softSuppressed: true }))).toBe('state available');
  });
});
