import { LEGACY_TAGS, TAGS } from '../../src/core/constants';
import { CloudApiError, ThrottledError } from '../../src/errors';
import { handleManual } from '../../src/manual/actions';
import { readPin } from '../../src/core/state';
import { MemoryCloud, managedTable, nat, ZONES } from '../reconcile/memoryCloud';
import { CONFIG, deps, NAT, NOW, RecordingRunner, region, RTB } from './world';

// The two pin keys, and the five-key form written before the compaction, which a release removes too.
const PIN_KEYS = [TAGS.pin, TAGS.pinReason, LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinTarget, LEGACY_TAGS.pinUntil, LEGACY_TAGS.pinBy];

describe('failover: records intent, then asks the one writer', () => {
  it('tags the AZ\'s tables with the pin and invokes reconcile once; it never writes a route itself', async () => {
    const cloud = region();
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', az: 'use1-az1', reason: 'patching', expiresAt: '2026-11-23T14:00:00Z', by: 'alice' });
    expect(res).toMatchObject({ ok: true, action: 'failover', tables: [RTB.a], via: 'lambda', pin: { awayFrom: 'us-east-1a', until: '2026-11-23T14:00:00.000Z' } });
    expect(cloud.count('replaceRoute')).toBe(0);
    expect(cloud.target(RTB.a, '0.0.0.0/0')).toBe(NAT.a);
    // Two keys: the machine-read facts in one, the free-text reason in the other.
    expect(Object.fromEntries(Object.entries(cloud.tagsOf(RTB.a)).filter(([k]) => k.startsWith('nat-failover:pin')))).toEqual({
      [TAGS.pin]: 'away-from=us-east-1a until=2026-11-23T14:00:00.000Z by=alice',
      [TAGS.pinReason]: 'patching',
    });
    expect(cloud.tagsOf(RTB.b)).toEqual({ 'nat-failover': 'enabled' });
    expect(runner.requests).toEqual([{ action: 'failover', by: 'alice', dryRun: false }]);
  });

  it('re-pinning drops keys the new pin does not have (an old target or expiry)', async () => {
    const cloud = region();
    await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', target: NAT.c, expiresAt: '2026-11-23T14:00:00Z', reason: 'one' });
    expect(cloud.tagsOf(RTB.a)[TAGS.pin]).toBe(`away-from=us-east-1a until=2026-11-23T14:00:00.000Z by=manual target=${NAT.c}`);
    await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'two' });
    const tags = cloud.tagsOf(RTB.a);
    expect(tags[TAGS.pin]).toBe('away-from=us-east-1a by=manual');
    expect(tags[TAGS.pinReason]).toBe('two');
    expect(tags['nat-failover']).toBe('enabled');
  });

  it('by gateway selects the tables whose home it is and pins them away from its AZ', async () => {
    const cloud = region();
    const res = await handleManual(deps(cloud), CONFIG, { action: 'failover', gateway: NAT.b, reason: 'EIP rotation' });
    expect(res).toMatchObject({ ok: true, tables: [RTB.b], pin: { awayFrom: 'us-east-1b' } });
    expect(cloud.tagsOf(RTB.b)[TAGS.pin]).toBe('away-from=us-east-1b by=manual');
  });

  it('keeps the pin and says so when reconcile cannot be reached', async () => {
    const cloud = region();
    const runner = new RecordingRunner();
    runner.fail = new ThrottledError('Invoke');
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x' });
    expect(res).toMatchObject({ ok: false, error: { code: 'cloud-error' }, recorded: [RTB.a] });
    expect(!res.ok && res.error.message).toContain('the next scheduled run applies it');
    expect(readPin(cloud.tagsOf(RTB.a))).toMatchObject({ awayFromAz: 'us-east-1a', reason: 'x' });
  });

  it.each([
    ['an AZ unknown to the region', { az: 'use1-az9' }, 'az', /unknown AZ "use1-az9".*us-east-1a \(use1-az1\)/],
    ['a gateway nobody uses', { gateway: 'nat-000000ff' }, 'gateway', /not a NAT gateway/],
    ['a target in the same AZ', { az: 'us-east-1a', target: NAT.a }, 'target', /the AZ being moved away from/],
    ['an unknown target', { az: 'us-east-1a', target: 'nat-000000ff' }, 'target', /not a NAT gateway/],
    ['an expiry in the past', { az: 'us-east-1a', expiresAt: '2026-11-23T11:59:59Z' }, 'expiresAt', /not in the future/],
    ['a VPC without managed tables', { az: 'us-east-1a', vpcId: 'vpc-99999999' }, 'vpcId', /no managed route tables/],
  ])('refuses %s, naming the field, and writes nothing', async (_n, extra, field, message) => {
    const cloud = region();
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', reason: 'x', ...extra });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field } });
    expect(!res.ok && res.error.message).toMatch(message);
    expect(cloud.count('createTags') + cloud.count('deleteTags')).toBe(0);
    expect(runner.requests).toHaveLength(0);
  });

  it('refuses a target that is not available', async () => {
    const cloud = region();
    cloud.nats = cloud.nats.map((n) => (n.id === NAT.c ? { ...n, state: 'failed' } : n));
    const res = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', target: NAT.c, reason: 'x' });
    expect(res).toMatchObject({ ok: false, error: { field: 'target', message: expect.stringContaining('gateway state is failed') } });
    expect(cloud.count('createTags')).toBe(0);
  });

  it('refuses a target outside EGRESS_ALLOW_LIST (the planner would never honour the pin), naming the IP to add', async () => {
    const cloud = region();
    cloud.nats = cloud.nats.map((n, i) => ({ ...n, ips: [`192.0.2.${i + 1}`] }));
    const cfg = { ...CONFIG, egressAllowList: ['192.0.2.1/32', '192.0.2.2/32'] };
    const explicit = await handleManual(deps(cloud), cfg, { action: 'failover', az: 'us-east-1a', target: NAT.c, reason: 'x' });
    expect(explicit).toMatchObject({ ok: false, error: { field: 'target', message: `target: ${NAT.c} is outside EGRESS_ALLOW_LIST, so never a failover target: add 192.0.2.3/32` } });
    // Without a target the pin is accepted while an allowed gateway exists, and refused when none does.
    const narrow = { ...CONFIG, egressAllowList: ['192.0.2.1/32'] };
    const none = await handleManual(deps(cloud), narrow, { action: 'failover', az: 'us-east-1a', reason: 'x' });
    expect(none).toMatchObject({ ok: false, error: { field: 'az', message: expect.stringContaining('no healthy gateway inside EGRESS_ALLOW_LIST outside us-east-1a') } });
    expect(cloud.count('createTags')).toBe(0);
  });

  it('refuses a target whose AZ is unknown, and counts none as a gateway to fail over to', async () => {
    const cloud = region();
    cloud.nats = [...cloud.nats.filter((n) => n.id === NAT.a), { ...cloud.nats.find((n) => n.id === NAT.b)!, az: undefined }];
    const explicit = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', target: NAT.b, reason: 'x' });
    const any = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x' });
    expect(explicit).toMatchObject({ ok: false, error: { field: 'target', message: expect.stringContaining('no known AZ') } });
    expect(any).toMatchObject({ ok: false, error: { field: 'az', message: expect.stringContaining('nothing to fail over to') } });
    expect(cloud.count('createTags')).toBe(0);
  });

  it('judges a private VPC\'s table whose gateway vanished as private, as the planner does (never assumes public)', async () => {
    // Prepare: only private gateways, none left in us-east-1a; rtb-a points at one deleted long ago.
    const cloud = new MemoryCloud([...ZONES], [{ ...nat(NAT.b, 'us-east-1b'), connectivityType: 'private' }, { ...nat(NAT.c, 'us-east-1c'), connectivityType: 'private' }]);
    cloud.addTable(managedTable(RTB.a, 'us-east-1a', 'nat-0000dead'));

    // Act
    const explicit = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', target: NAT.b, reason: 'x', dryRun: true });
    const any = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x', dryRun: true });

    // Assess
    expect(explicit).toMatchObject({ ok: true, tables: [RTB.a] });
    expect(any).toMatchObject({ ok: true, tables: [RTB.a] });
  });

  it('refuses when no healthy gateway exists outside the AZ', async () => {
    const cloud = region();
    cloud.nats = cloud.nats.map((n) => (n.id === NAT.a ? n : { ...n, state: 'deleted' }));
    const res = await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x' });
    expect(res).toMatchObject({ ok: false, error: { field: 'az', message: expect.stringContaining('nothing to fail over to') } });
    expect(cloud.count('createTags')).toBe(0);
  });

  it('a dry run plans the pin without writing a tag or invoking reconcile', async () => {
    const cloud = region();
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x', dryRun: true });
    expect(res).toMatchObject({ ok: true, via: 'plan-only', dryRun: true });
    const run = (res as { run: { changes: { routeTableId: string; transition: string; routes: { to: string }[] }[] } }).run;
    expect(run.changes).toHaveLength(1);
    expect(run.changes[0]).toMatchObject({ routeTableId: RTB.a, transition: 'pin' });
    expect([NAT.b, NAT.c]).toContain(run.changes[0]!.routes[0]!.to);
    expect(cloud.count('createTags') + cloud.count('deleteTags') + cloud.count('replaceRoute')).toBe(0);
    expect(runner.requests).toHaveLength(0);
  });
});

describe('release', () => {
  it('deletes exactly the pin keys of pinned tables, then invokes reconcile', async () => {
    const cloud = region();
    await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'x', target: NAT.b });
    cloud.calls.length = 0;
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'release', az: 'us-east-1a', by: 'bob' });
    expect(res).toMatchObject({ ok: true, tables: [RTB.a] });
    expect(cloud.calls.filter((c) => c.op === 'deleteTags').map((c) => c.args)).toEqual([[[RTB.a], PIN_KEYS]]);
    expect(Object.keys(cloud.tagsOf(RTB.a)).some((k) => k.includes(':pin-'))).toBe(false);
    expect(runner.requests).toEqual([{ action: 'release', by: 'bob', dryRun: false }]);
  });

  it('with nothing pinned changes nothing and does not invoke reconcile', async () => {
    const cloud = region();
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'release', gateway: NAT.a });
    expect(res).toMatchObject({ ok: true, via: 'none', tables: [] });
    expect(cloud.count('deleteTags')).toBe(0);
    expect(runner.requests).toHaveLength(0);
  });
});

describe('restore', () => {
  const away = () => {
    const cloud = region();
    // rtb-a failed over to nat-b earlier; home nat-a is healthy again.
    const t = cloud.tables.get(RTB.a)!;
    t.routes = t.routes.map((r) => (r.target.kind === 'nat' ? { ...r, target: { kind: 'nat', id: NAT.b } } : r));
    Object.assign(t.tags, { [TAGS.state]: 'failed-over', [TAGS.since]: NOW.toISOString(), [TAGS.homeNat]: NAT.a });
    return cloud;
  };

  it('passes restoreNow for the AZ (normalised from its id) to reconcile', async () => {
    const cloud = away();
    const runner = new RecordingRunner();
    const res = await handleManual(deps(cloud, runner), CONFIG, { action: 'restore', az: 'use1-az1', by: 'carol' });
    expect(res).toMatchObject({ ok: true, action: 'restore', tables: [RTB.a] });
    expect(runner.requests).toEqual([{ action: 'restore', by: 'carol', dryRun: false, overrides: { restoreNow: [{ az: 'us-east-1a', force: false, reason: 'operator restore', by: 'carol' }] } }]);
    expect(cloud.count('replaceRoute') + cloud.count('createTags')).toBe(0);
  });

  it('refuses a home in ALARM without force, naming force; with force and a reason it goes ahead', async () => {
    const cloud = away();
    const runner = new RecordingRunner();
    const signals = { read: async () => ({ evacuations: [], alarms: [{ natGatewayId: NAT.a, alarmName: 'nat-a-drops', since: NOW }] }) };
    const d = { ...deps(cloud, runner), signals };
    const plain = await handleManual(d, CONFIG, { action: 'restore', az: 'us-east-1a' });
    expect(plain).toMatchObject({ ok: false, error: { field: 'force', message: expect.stringContaining('alarm in ALARM: nat-a-drops') } });
    expect(runner.requests).toHaveLength(0);
    const forced = await handleManual(d, CONFIG, { action: 'restore', az: 'us-east-1a', force: true, reason: 'alarm is stale' });
    expect(forced).toMatchObject({ ok: true });
    expect(runner.requests[0]?.overrides?.restoreNow?.[0]).toMatchObject({ force: true, reason: 'alarm is stale' });
  });

  it('refuses a home that is not available even with force', async () => {
    const cloud = away();
    cloud.nats = cloud.nats.map((n) => (n.id === NAT.a ? { ...n, state: 'failed' } : n));
    const runner = new RecordingRunner();
    const forced = await handleManual(deps(cloud, runner), CONFIG, { action: 'restore', az: 'us-east-1a', force: true, reason: 'trust me' });
    expect(forced).toMatchObject({ ok: false, error: { field: 'az', message: expect.stringContaining('never targets a gateway that is not available') } });
    expect(runner.requests).toHaveLength(0);
  });

  it('when every table is home already, says so and invokes nothing', async () => {
    const runner = new RecordingRunner();
    const res = await handleManual(deps(region(), runner), CONFIG, { action: 'restore', az: 'us-east-1b' });
    expect(res).toMatchObject({ ok: true, via: 'none', message: expect.stringContaining('already at home') });
    expect(runner.requests).toHaveLength(0);
  });
});

describe('status', () => {
  it('shows each gateway\'s health with the signals behind it, and each table\'s state and next target', async () => {
    const cloud = region();
    const signals = { read: async () => ({ evacuations: [], alarms: [{ natGatewayId: NAT.b, alarmName: 'nat-b-drops', since: NOW }] }) };
    const res = await handleManual({ ...deps(cloud), signals }, CONFIG, { action: 'status' });
    if (!res.ok || res.action !== 'status') throw new Error(JSON.stringify(res));
    expect(res.gateways.find((g) => g.natGatewayId === NAT.b)).toMatchObject({ health: 'unhealthy', signals: ['soft: alarm in ALARM: nat-b-drops'], tablesServed: 1 });
    expect(res.gateways.find((g) => g.natGatewayId === NAT.a)).toMatchObject({ health: 'unknown', signals: ['no judged traffic minutes (silence is unknown)'] });
    const b = res.tables.find((t) => t.routeTableId === RTB.b)!;
    expect(b).toMatchObject({ state: 'home', currentTarget: NAT.b, homeGateway: NAT.b, az: 'us-east-1b' });
    expect([NAT.a, NAT.c]).toContain(b.next);
    expect(cloud.count('createTags') + cloud.count('deleteTags') + cloud.count('replaceRoute')).toBe(0);
  });

  it('shows each gateway\'s headroom and, per table, every IP it may egress from (home and allow-listed targets)', async () => {
    // Prepare: one EIP per gateway; nat-c has two, and is short; nat-b is outside the allow-list.
    const cloud = region();
    cloud.nats = [
      { ...cloud.nats[0]!, ips: ['192.0.2.1'] },
      { ...cloud.nats[1]!, ips: ['198.51.100.2'] },
      { ...cloud.nats[2]!, ips: ['192.0.2.3', '192.0.2.13'] },
    ];
    cloud.capacity.set(NAT.a, { portAllocationErrors: 0, activeConnections: 12_000 });
    cloud.capacity.set(NAT.b, { portAllocationErrors: 6, activeConnections: 1_000 });
    cloud.capacity.set(NAT.c, { portAllocationErrors: 0, activeConnections: 100_000 });

    // Act
    const res = await handleManual(deps(cloud), { ...CONFIG, egressAllowList: ['192.0.2.0/24'] }, { action: 'status' });
    if (!res.ok || res.action !== 'status') throw new Error(JSON.stringify(res));

    // Assess
    const room = (id: string) => res.gateways.find((g) => g.natGatewayId === id)!.headroom;
    expect(room(NAT.a)).toMatchObject({ ips: ['192.0.2.1'], activeConnections: 12_000, portAllocationErrors: 0, limit: 55_000, verdict: 'ok' });
    expect(room(NAT.b)).toMatchObject({ portAllocationErrors: 6, verdict: 'port-errors' });
    expect(room(NAT.c)).toMatchObject({ limit: 110_000, verdict: 'short' });
    expect(res.tables.find((t) => t.routeTableId === RTB.a)!.egress).toEqual([
      { natGatewayId: NAT.a, role: 'home', ips: ['192.0.2.1'] },
      { natGatewayId: NAT.c, role: 'target', ips: ['192.0.2.3', '192.0.2.13'] },
    ]);
    // nat-b's own table still egresses from it; the finding says what to add for it to be a target.
    expect(res.tables.find((t) => t.routeTableId === RTB.b)!.egress![0]).toEqual({ natGatewayId: NAT.b, role: 'home', ips: ['198.51.100.2'] });
    expect(res.findings.filter((f) => f.kind === 'allow-list').map((f) => f.message)).toEqual([expect.stringMatching(/^nat-0000000b .*add 198\.51\.100\.2\/32$/)]);
  });

  it('reports a VPC on a regional NAT gateway as needing no failover, and skips its table', async () => {
    const cloud = region();
    cloud.nats.push({ id: 'nat-0000000f', vpcId: 'vpc-22222222', az: undefined, state: 'available', connectivityType: 'public', availabilityMode: 'regional' });
    cloud.addTable({ ...managedTable('rtb-0000000f', 'us-east-1a', 'nat-0000000f'), vpcId: 'vpc-22222222' });
    const res = await handleManual(deps(cloud), CONFIG, { action: 'status' });
    if (!res.ok || res.action !== 'status') throw new Error(JSON.stringify(res));
    expect(res.regionalVpcs).toEqual([{ vpcId: 'vpc-22222222', natGatewayIds: ['nat-0000000f'], note: 'regional NAT gateway spans AZs itself: needs no failover' }]);
    expect(res.tables.find((t) => t.routeTableId === 'rtb-0000000f')).toMatchObject({ state: 'skipped', why: expect.stringContaining('regional NAT gateway') });
    // and a failover aimed at it is refused
    const f = await handleManual(deps(cloud), CONFIG, { action: 'failover', gateway: 'nat-0000000f', reason: 'x' });
    expect(f).toMatchObject({ ok: false, error: { field: 'gateway', message: expect.stringContaining('regional NAT gateway') } });
  });

  it('a failed EC2 read is a structured cloud error, not a stack trace', async () => {
    const cloud = region();
    cloud.readInventory = async () => {
      throw new CloudApiError('DescribeRouteTables', 'UnauthorizedOperation', 'not allowed');
    };
    const res = await handleManual(deps(cloud), CONFIG, { action: 'status' });
    expect(res).toStrictEqual({ ok: false, action: 'status', error: { code: 'cloud-error', field: null, message: 'DescribeRouteTables failed: UnauthorizedOperation: not allowed' } });
  });
});

describe('pins written before the compaction (five keys)', () => {
  const legacyPin = {
    [LEGACY_TAGS.pinAwayFrom]: 'us-east-1a',
    [LEGACY_TAGS.pinTarget]: NAT.c,
    [LEGACY_TAGS.pinUntil]: '2026-11-23T14:00:00.000Z',
    [TAGS.pinReason]: 'old',
    [LEGACY_TAGS.pinBy]: 'carol',
  };

  it('a new failover writes the two keys first, then removes the legacy ones', async () => {
    const cloud = region();
    await cloud.createTags([RTB.a], legacyPin);
    cloud.calls.length = 0;
    await handleManual(deps(cloud), CONFIG, { action: 'failover', az: 'us-east-1a', reason: 'new', by: 'alice' });
    const ops = cloud.calls.filter((c) => c.op === 'createTags' || c.op === 'deleteTags').map((c) => c.op);
    expect(ops).toEqual(['createTags', 'deleteTags']);
    const pinKeys = Object.keys(cloud.tagsOf(RTB.a)).filter((k) => k.startsWith('nat-failover:pin')).sort();
    expect(pinKeys).toEqual([TAGS.pin, TAGS.pinReason]);
    expect(readPin(cloud.tagsOf(RTB.a))).toEqual({ awayFromAz: 'us-east-1a', target: undefined, until: undefined, reason: 'new', by: 'alice' });
  });

  it('release sees the legacy pin and removes every one of its keys', async () => {
    const cloud = region();
    await cloud.createTags([RTB.a], legacyPin);
    const res = await handleManual(deps(cloud), CONFIG, { action: 'release', az: 'us-east-1a' });
    expect(res).toMatchObject({ ok: true, tables: [RTB.a] });
    expect(Object.keys(cloud.tagsOf(RTB.a)).filter((k) => k.startsWith('nat-failover:pin'))).toEqual([]);
  });
});
