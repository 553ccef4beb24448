import fc from 'fast-check';
import { TAGS_PER_RESOURCE_MAX } from '../../src/core/constants';
import type { Inventory, NatGateway, Observation, RouteTable } from '../../src/core/types';
import {
  type DoctorFacts,
  doctorReport,
  type FunctionFact,
  partitionOf,
  renderDoctor,
  STATE_ROOM,
  TAG_ROOM_MARGIN,
  UNRESERVED_MINIMUM,
} from '../../src/manual/doctor';
import type { GatewayEndpoint } from '../../src/manual/ports';
import { decide } from '../../src/reconcile/controller';
import { managedTable, nat, ZONES } from '../reconcile/memoryCloud';
import { CONFIG, NAT, NOW, RTB, VPC } from './world';

function world(inv: Partial<Inventory> = {}) {
  const inventory: Inventory = {
    zones: [...ZONES],
    natGateways: [nat(NAT.a, 'us-east-1a'), nat(NAT.b, 'us-east-1b'), nat(NAT.c, 'us-east-1c')],
    routeTables: [managedTable(RTB.a, 'us-east-1a', NAT.a), managedTable(RTB.b, 'us-east-1b', NAT.b), managedTable(RTB.c, 'us-east-1c', NAT.c)],
    ...inv,
  };
  const obs: Observation = { now: NOW, inventory, metrics: undefined, evacuations: [], alarms: [], unreadSignals: [] };
  return { obs, ...decide(obs, CONFIG) };
}

const endpoint = (service: string, tables: string[]): GatewayEndpoint => ({ id: `vpce-${service}`, vpcId: VPC, service, state: 'available', routeTableIds: tables });
const ALL = [RTB.a, RTB.b, RTB.c];
const deployed: FunctionFact[] = [
  { name: 'nat-failover-prod-reconcile', found: true, state: 'Active', reservedConcurrency: 1 },
  { name: 'nat-failover-prod-manual', found: true, state: 'Active' },
];

function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    region: 'us-east-1',
    stage: 'prod',
    managedTag: { key: 'nat-failover', value: 'enabled' },
    vpcIds: [],
    zones: { ok: true, value: [...ZONES] },
    world: { ok: true, value: world() },
    endpoints: { ok: true, value: [endpoint('s3', ALL), endpoint('dynamodb', ALL)] },
    stack: {
      ok: true,
      value: {
        functions: deployed,
        rules: { ok: true, value: [{ name: 'sched', state: 'ENABLED', scheduleExpression: 'rate(1 minute)' }, { name: 'alarm', state: 'ENABLED' }] },
        alarms: { ok: true, value: [{ name: 'nat-failover-prod-reconcile-errors', found: true, actionsEnabled: true }, { name: 'nat-failover-prod-reconcile-not-running', found: true, actionsEnabled: true }] },
      },
    },
    unreservedConcurrency: { ok: true, value: 999 },
    ...over,
  };
}

const verdicts = (f: DoctorFacts, check: string) => doctorReport(f).checks.filter((c) => c.check === check).map((c) => `${c.verdict} ${c.subject ?? '-'}`);

describe('doctor checks (pure)', () => {
  it('a healthy deployed region: no FAIL, ok, one line per check, fixes only on non-PASS', () => {
    const r = doctorReport(facts());
    expect(r.ok).toBe(true);
    expect(r.counts.FAIL).toBe(0);
    expect(r.checks.filter((c) => c.verdict === 'PASS').every((c) => c.fix === null)).toBe(true);
    expect(r.checks.filter((c) => c.verdict !== 'PASS').every((c) => c.fix !== null)).toBe(true);
    // The only WARN: a public VPC in a commercial region could use AWS's regional NAT gateway.
    expect(r.checks.filter((c) => c.verdict !== 'PASS').map((c) => c.check)).toStrictEqual(['regional-nat-fit']);
    const text = renderDoctor(r).split('\n');
    expect(text).toHaveLength(r.checks.length + 1);
    expect(text.at(-1)).toBe(`doctor: ${r.counts.PASS} PASS, 1 WARN, 0 FAIL (us-east-1, stage prod)`);
  });

  it('the JSON shape is stable: ok, region, stage, counts, checks of {check, verdict, subject, message, fix}', () => {
    const r = JSON.parse(JSON.stringify(doctorReport(facts())));
    expect(Object.keys(r)).toStrictEqual(['ok', 'region', 'stage', 'counts', 'checks']);
    expect(Object.keys(r.counts)).toStrictEqual(['PASS', 'WARN', 'FAIL']);
    for (const c of r.checks) expect(Object.keys(c)).toStrictEqual(['check', 'verdict', 'subject', 'message', 'fix']);
  });

  it('credentials that fail: one FAIL line and nothing else (nothing else can be read)', () => {
    const r = doctorReport(facts({ zones: { ok: false, error: 'UnrecognizedClientException: The security token included in the request is invalid' } }));
    expect(r.checks.map((c) => `${c.verdict} ${c.check}`)).toStrictEqual(['FAIL credentials']);
    expect(r.checks[0]!.fix).toMatch(/--region/);
    expect(r.ok).toBe(false);
  });

  it('no managed table: FAIL with the tagging command; a requested VPC without one: FAIL for it', () => {
    expect(verdicts(facts({ world: { ok: true, value: world({ routeTables: [] }) } }), 'managed-tables')).toStrictEqual(['FAIL us-east-1']);
    expect(verdicts(facts({ vpcIds: [VPC, 'vpc-22222222'] }), 'managed-tables')).toStrictEqual(['PASS us-east-1', 'FAIL vpc-22222222']);
  });

  it('a table whose home AZ has no gateway: FAIL gateway-per-az (it rides another AZ\'s gateway)', () => {
    const d: RouteTable = { ...managedTable('rtb-0000000d', 'us-east-1d', NAT.a) };
    const f = facts({ world: { ok: true, value: world({ zones: [...ZONES, { name: 'us-east-1d', id: 'use1-az4', state: 'available' }], routeTables: [...world().obs.inventory.routeTables, d] }) } });
    const r = doctorReport(f);
    const line = r.checks.find((c) => c.check === 'gateway-per-az' && c.verdict === 'FAIL');
    expect(line?.subject).toBe(`${VPC} us-east-1d`);
    expect(line?.message).toContain(`they ride ${NAT.a} (us-east-1a)`);
    expect(r.ok).toBe(false);
  });

  it('a table the planner skips (home AZ unknown) is a FAIL naming the planner\'s reason', () => {
    const t: RouteTable = { ...managedTable('rtb-0000000e', 'us-east-1a', NAT.a), subnetAzs: ['us-east-1a', 'us-east-1b'] };
    const r = doctorReport(facts({ world: { ok: true, value: world({ routeTables: [...world().obs.inventory.routeTables, t] }) } }));
    const line = r.checks.find((c) => c.subject === 'rtb-0000000e');
    expect(line).toMatchObject({ check: 'table', verdict: 'FAIL' });
    expect(line?.message).toContain('home AZ unknown');
  });

  it('only one AZ with a gateway: no failover target, FAIL', () => {
    const w = world({ natGateways: [nat(NAT.a, 'us-east-1a')], routeTables: [managedTable(RTB.a, 'us-east-1a', NAT.a)] });
    expect(verdicts(facts({ world: { ok: true, value: w } }), 'failover-target')).toStrictEqual([`FAIL ${VPC} us-east-1a`]);
  });

  it('tag room: FAIL iff the owner tags leave less than the controller\'s room, WARN within the margin (any owner count)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TAGS_PER_RESOURCE_MAX - 1 }), fc.integer({ min: 0, max: 5 }), (extra, awsTags) => {
        const base = managedTable(RTB.a, 'us-east-1a', NAT.a);
        const tags: Record<string, string> = { ...base.tags };
        for (let i = 0; i < extra; i++) tags[`owner-${i}`] = 'x';
        // aws: keys do not count against EC2's 50 (EC2 User Guide, "Tag restrictions").
        for (let i = 0; i < awsTags; i++) tags[`aws:cloudformation:k${i}`] = 'x';
        const owner = extra + 1; // + the opt-in tag
        const w = world({ routeTables: [{ ...base, tags }, managedTable(RTB.b, 'us-east-1b', NAT.b)] });
        const got = verdicts(facts({ world: { ok: true, value: w } }), 'tag-room');
        const room = TAGS_PER_RESOURCE_MAX - owner;
        const want = room < STATE_ROOM ? [`FAIL ${RTB.a}`] : room < STATE_ROOM + TAG_ROOM_MARGIN ? [`WARN ${RTB.a}`] : ['PASS -'];
        expect(got).toStrictEqual(want);
      }),
    );
  });

  it('concurrency: before the deploy, FAIL iff reserving 1 leaves less than 100 unreserved (any account value)', () => {
    const notDeployed = { ok: true as const, value: { functions: deployed.map((x) => ({ name: x.name, found: false })), rules: { ok: true as const, value: [] }, alarms: { ok: true as const, value: [] } } };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (n) => {
        const got = verdicts(facts({ stack: notDeployed, unreservedConcurrency: { ok: true, value: n } }), 'concurrency');
        expect(got).toStrictEqual([n - 1 < UNRESERVED_MINIMUM ? 'FAIL -' : 'PASS -']);
      }),
    );
    expect(verdicts(facts({ stack: notDeployed }), 'stack')).toStrictEqual(['WARN nat-failover-prod']);
    // Deployed with its slot: already reserved, whatever is left is the account's.
    expect(verdicts(facts({ unreservedConcurrency: { ok: true, value: 100 } }), 'concurrency')).toStrictEqual(['PASS -']);
    expect(verdicts(facts({ stack: notDeployed, unreservedConcurrency: { ok: false, error: 'AccessDeniedException: no' } }), 'concurrency')).toStrictEqual(['WARN -']);
    // Deployed with its slot, the account setting is not needed to know there was room.
    expect(verdicts(facts({ unreservedConcurrency: { ok: false, error: 'AccessDeniedException: no' } }), 'concurrency')).toStrictEqual(['PASS -']);
  });

  it('stack: a disabled rule, a missing schedule, reserved concurrency lost, an alarm without actions', () => {
    const f = facts({
      stack: {
        ok: true,
        value: {
          functions: [{ ...deployed[0]!, reservedConcurrency: undefined }, { name: 'nat-failover-prod-manual', found: false }],
          rules: { ok: true, value: [{ name: 'sched', state: 'DISABLED', scheduleExpression: 'rate(1 minute)' }] },
          alarms: { ok: true, value: [{ name: 'nat-failover-prod-reconcile-errors', found: true, actionsEnabled: false }, { name: 'nat-failover-prod-reconcile-not-running', found: false }] },
        },
      },
    });
    const r = doctorReport(f);
    const bad = r.checks.filter((c) => ['function', 'rules', 'alarms'].includes(c.check)).map((c) => `${c.verdict} ${c.check} ${c.subject}`);
    expect(bad).toStrictEqual([
      'FAIL function nat-failover-prod-reconcile',
      'FAIL function nat-failover-prod-manual',
      'FAIL rules sched',
      'FAIL rules nat-failover-prod-reconcile',
      'WARN alarms nat-failover-prod-reconcile-errors',
      'FAIL alarms nat-failover-prod-reconcile-not-running',
    ]);
    expect(r.checks.find((c) => c.subject === 'sched')?.fix).toBe('aws events enable-rule --name sched');
  });

  it('gateway endpoints: WARN per VPC and service with the create command; unread is "not checked"', () => {
    expect(verdicts(facts({ endpoints: { ok: true, value: [endpoint('s3', [RTB.a])] } }), 'gateway-endpoints')).toStrictEqual([`WARN ${VPC}`, `WARN ${VPC}`]);
    const r = doctorReport(facts({ endpoints: { ok: true, value: [endpoint('s3', ALL)] } }));
    expect(r.checks.find((c) => c.check === 'gateway-endpoints' && c.verdict === 'WARN')?.fix).toContain(`--service-name com.amazonaws.us-east-1.dynamodb --route-table-ids ${RTB.a} ${RTB.b} ${RTB.c}`);
    expect(verdicts(facts({ endpoints: { ok: false, error: 'x' } }), 'gateway-endpoints')).toStrictEqual(['WARN -']);
  });

  it('regional NAT fit: WARN for public VPCs in commercial regions only; private gateways and GovCloud/China say why not', () => {
    expect(verdicts(facts(), 'regional-nat-fit')).toStrictEqual([`WARN ${VPC}`]);
    expect(verdicts(facts({ region: 'us-gov-west-1' }), 'regional-nat-fit')).toStrictEqual([`PASS ${VPC}`]);
    expect(verdicts(facts({ region: 'cn-north-1' }), 'regional-nat-fit')).toStrictEqual([`PASS ${VPC}`]);
    expect(doctorReport(facts({ region: 'us-iso-east-1' })).checks.find((c) => c.check === 'regional-nat-fit')?.message).toMatch(/does not know/);
    const priv = (n: NatGateway): NatGateway => ({ ...n, connectivityType: 'private' });
    const w = world({ natGateways: [priv(nat(NAT.a, 'us-east-1a')), priv(nat(NAT.b, 'us-east-1b')), priv(nat(NAT.c, 'us-east-1c'))] });
    const line = doctorReport(facts({ world: { ok: true, value: w } })).checks.find((c) => c.check === 'regional-nat-fit');
    expect(line).toMatchObject({ verdict: 'PASS' });
    expect(line?.message).toContain('public connectivity only');
    const warn = doctorReport(facts()).checks.find((c) => c.check === 'regional-nat-fit');
    expect(warn?.message).toMatch(/egress IP addresses.*resets established connections/);
  });

  it('a managed table on a regional NAT gateway: WARN, and no table FAIL for it', () => {
    const regional: NatGateway = { id: 'nat-0000000r', vpcId: VPC, az: undefined, state: 'available', connectivityType: 'public', availabilityMode: 'regional' };
    const t = managedTable('rtb-0000000r', 'us-east-1a', regional.id);
    const w = world({ natGateways: [...world().obs.inventory.natGateways, regional], routeTables: [...world().obs.inventory.routeTables, t] });
    const r = doctorReport(facts({ world: { ok: true, value: w } }));
    expect(r.checks.filter((c) => c.check === 'regional-nat').map((c) => `${c.verdict} ${c.subject}`)).toStrictEqual([`WARN ${VPC}`]);
    expect(r.checks.find((c) => c.subject === 'rtb-0000000r')).toBeUndefined();
  });

  it('partitionOf: GovCloud and China by prefix; the commercial shape otherwise', () => {
    expect(['us-east-1', 'eu-central-2', 'ap-southeast-5', 'us-gov-east-1', 'cn-northwest-1', 'local'].map(partitionOf)).toStrictEqual(['aws', 'aws', 'aws', 'aws-us-gov', 'aws-cn', 'other']);
  });

  it('every rendered line is one line, whatever an error says', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (error) => {
        const r = doctorReport(facts({ endpoints: { ok: false, error }, unreservedConcurrency: { ok: false, error } }));
        expect(renderDoctor(r).split('\n')).toHaveLength(r.checks.length + 1);
      }),
    );
  });
});
