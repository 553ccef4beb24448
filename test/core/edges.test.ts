/**
 * State that lies and edge shapes the docs promise (issue 10, items 4, 8 and 14), on the pure
 * planner: hand-edited or garbage tags, IPv6-only tables, AZs without a gateway of their own, and
 * routes on regional gateways.
 */
import { NAT64_PREFIX, LEGACY_TAGS, TAGS } from '../../src/core/constants';
import { readStateChecked } from '../../src/core/state';
import type { Inventory, Plan } from '../../src/core/types';
import {
  NOW,
  actionFor,
  applyPlan,
  at,
  config,
  decideAt,
  failedOverTags,
  iso,
  natGw,
  observation,
  route,
  standardInventory,
  table,
  withNat,
  withTable,
  type ObsSpec,
} from './fixtures';
import type { Config } from '../../src/config';

const run = (inv: Inventory, spec: ObsSpec = {}, cfg: Partial<Config> = {}): Plan => decideAt(observation(inv, spec), config(cfg)).plan;
const moves = (p: Plan) => p.actions.flatMap((a) => a.routes.map((r) => [a.routeTableId, r.destination, r.from, r.to]));
const kinds = (p: Plan, id: string) => p.findings.filter((f) => f.routeTableId === id).map((f) => f.kind);

describe('unreadable dates in state tags (item 4)', () => {
  // rtb-a failed over to nat-b; its home nat-a is healthy again. Hold-down 600 s.
  const awayWith = (homeOkSince: string): Inventory =>
    withTable(
      standardInventory(),
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -900 }), [TAGS.homeOkSince]: homeOkSince } }),
    );

  it.each(['1', '2026', '1 2 3', '2026-02-30T00:00:00Z', '2026-11-23T11:00:00+00:00', '2026-11-23', 'Mon, 23 Nov 2026 11:00:00 GMT'])(
    'home-ok-since=%p does not satisfy the hold-down: read as absent (the clock starts now) and reported',
    (garbage) => {
      const p = run(awayWith(garbage), {}, { restoreHoldDownSeconds: 600 });

      expect(moves(p)).toEqual([]);
      expect(kinds(p, 'rtb-a')).toEqual(['unreadable-state', 'hold-down']);
      expect(p.findings[0]!.message).toContain(`tag ${TAGS.homeOkSince}=`);
      // Healed: the next write records a real instant, from which the hold-down counts.
      expect(actionFor(p, 'rtb-a')!.tags.set[TAGS.homeOkSince]).toBe(NOW.toISOString());
    },
  );

  it('the same table with a real home-ok-since older than the hold-down restores (the control)', () => {
    expect(moves(run(awayWith(iso(-601)), {}, { restoreHoldDownSeconds: 600 }))).toEqual([['rtb-a', '0.0.0.0/0', 'nat-b', 'nat-a']]);
  });

  it('an unreadable pin-until makes the pin invalid and reported, never a pin forever', () => {
    const pinned = withTable(
      standardInventory(),
      table('rtb-a', {
        subnetAzs: ['us-east-1a'],
        v4: 'nat-a',
        tags: { [LEGACY_TAGS.pinAwayFrom]: 'us-east-1a', [LEGACY_TAGS.pinUntil]: 'next tuesday', [TAGS.pinReason]: 'patching', [LEGACY_TAGS.pinBy]: 'alice' },
      }),
    );

    const p = run(pinned);

    expect(moves(p)).toEqual([]);
    expect(kinds(p, 'rtb-a')).toEqual(['unreadable-state']);
    expect(p.findings[0]!.message).toMatch(/pin-until="next tuesday".*the pin away from us-east-1a is invalid and not applied/);
    expect(actionFor(p, 'rtb-a')!.tags.remove).toEqual([LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinBy, TAGS.pinReason, LEGACY_TAGS.pinUntil].sort());
    // An empty expiry is no more readable than garbage: the pin it belongs to is not applied either.
    expect(readStateChecked({ [LEGACY_TAGS.pinAwayFrom]: 'us-east-1a', [LEGACY_TAGS.pinUntil]: '' }).state.pin).toBeUndefined();
  });

  it('reads every unreadable key as absent, with what that means, and reads clean tags silently', () => {
    const { state, unreadable } = readStateChecked({
      [TAGS.state]: 'failed_over',
      [TAGS.since]: '1',
      [TAGS.homeOkSince]: '2027-02-30T00:00:00Z',
      [TAGS.flaps]: `0x10@${'x'.repeat(256)}`,
    });
    expect(state).toMatchObject({ mode: 'home', since: undefined, homeOkSince: undefined, lastRestore: undefined, flaps: 0 });
    expect(unreadable.map((u) => u.key)).toEqual([TAGS.state, TAGS.flaps, TAGS.since, TAGS.homeOkSince]);
    expect(unreadable.every((u) => u.value.length <= 40)).toBe(true);
    // The legacy restore time (read while the new `flaps` key has none) is held to the same rule.
    const legacy = readStateChecked({ [TAGS.flaps]: '2', [LEGACY_TAGS.lastRestore]: 'x'.repeat(256) });
    expect(legacy.state).toMatchObject({ flaps: 2, lastRestore: undefined });
    expect(legacy.unreadable.map((u) => u.key)).toEqual([LEGACY_TAGS.lastRestore]);
    expect(readStateChecked(failedOverTags({ homeNat: 'nat-a', since: -60, homeOkSince: -30, flaps: 2, lastRestore: -4000 })).unreadable).toEqual([]);
  });
});

describe('IPv6-only tables (item 14): the NAT64 route alone places the table', () => {
  const v6only = (over: Parameters<typeof table>[1] = {}): Inventory =>
    withTable(standardInventory(), table('rtb-6', { subnetAzs: ['us-east-1a'], v6: 'nat-a', ...over }));

  it('moves a table with no IPv4 default off a dead gateway like any other', () => {
    const p = run(withNat(v6only(), 'nat-a', { state: 'failed' }));

    const a = actionFor(p, 'rtb-6')!;
    expect(a.transition).toBe('failover');
    expect(a.routes).toEqual([{ destination: NAT64_PREFIX, from: 'nat-a', to: expect.stringMatching(/^nat-[bc]$/) }]);
    expect(a.priority).toBe(0);
    expect(a.tags.set[TAGS.state]).toBe('failed-over');
    expect(a.tags.set[TAGS.homeNat]).toBe('nat-a');
  });

  it('records an IPv6-only table at home on a healthy run, and brings it home after the hold-down', () => {
    const first = run(v6only());
    expect(moves(first)).toEqual([]);
    expect(actionFor(first, 'rtb-6')!.tags.set[TAGS.state]).toBe('home');

    const away = withTable(standardInventory(), table('rtb-6', { subnetAzs: ['us-east-1a'], v6: 'nat-b', tags: failedOverTags({ homeNat: 'nat-a', since: -900, homeOkSince: -700 }) }));
    expect(moves(run(away, {}, { restoreHoldDownSeconds: 600 }))).toEqual([['rtb-6', NAT64_PREFIX, 'nat-b', 'nat-a']]);
  });

  it('leaves a table whose IPv4 default someone pointed elsewhere alone, NAT64 route included', () => {
    const p = run(withNat(v6only({ extraRoutes: [route('0.0.0.0/0', 'eni-0natinstance')] }), 'nat-a', { state: 'failed' }));
    expect(actionFor(p, 'rtb-6')).toBeUndefined();
    expect(kinds(p, 'rtb-6')).toEqual(['skipped-table']);
  });

  it('steps aside from an IPv6-only table on a regional gateway', () => {
    const inv: Inventory = {
      ...standardInventory(),
      natGateways: [...standardInventory().natGateways, natGw('nat-r', undefined, { availabilityMode: 'regional' })],
      routeTables: [table('rtb-6', { subnetAzs: ['us-east-1a'], v6: 'nat-r' })],
    };
    const p = run(inv);
    expect(p.actions).toEqual([]);
    expect(kinds(p, 'rtb-6')).toEqual(['regional-nat']);
  });
});

describe('AZs without a NAT gateway of their own (item 14)', () => {
  // One gateway in us-east-1a serves the tables of all three AZs, by design.
  const shared = (nats = [natGw('nat-a', 'us-east-1a')]): Inventory => ({
    ...standardInventory(),
    natGateways: nats,
    routeTables: ['a', 'b', 'c'].map((z) => table(`rtb-${z}`, { subnetAzs: [`us-east-1${z}`], v4: 'nat-a' })),
  });

  it('records those tables at home on the gateway they share, with no external change, on a healthy run', () => {
    const p = run(shared());

    expect(moves(p)).toEqual([]);
    expect(p.findings).toEqual([]);
    for (const id of ['rtb-a', 'rtb-b', 'rtb-c']) {
      expect(actionFor(p, id)!.tags.set).toMatchObject({ [TAGS.state]: 'home', [TAGS.homeNat]: 'nat-a' });
      expect(p.tables.find((t) => t.routeTableId === id)).toMatchObject({ mode: 'home', homeNat: 'nat-a', desiredTarget: 'nat-a' });
    }
    // Level: the next healthy run has nothing to write or say.
    const next = run(applyPlan(shared(), p), { now: at(60) });
    expect(next.actions).toEqual([]);
    expect(next.findings).toEqual([]);
  });

  it('fails such a table over when the shared gateway dies, and brings it back after the hold-down', () => {
    const two = shared([natGw('nat-a', 'us-east-1a'), natGw('nat-c', 'us-east-1c')]);
    const settled = applyPlan(two, run(two, { now: at(-7200) }));

    const down = run(withNat(settled, 'nat-a', { state: 'failed' }), {}, { restoreHoldDownSeconds: 600 });
    expect(moves(down).filter((m) => m[0] === 'rtb-b')).toEqual([['rtb-b', '0.0.0.0/0', 'nat-a', 'nat-c']]);
    expect(actionFor(down, 'rtb-b')!.tags.set[TAGS.state]).toBe('failed-over');

    // nat-a is available again: the hold-down starts, then the table goes back to it.
    const away = withNat(applyPlan(withNat(settled, 'nat-a', { state: 'failed' }), down), 'nat-a', { state: 'available' });
    const recovering = run(away, { now: at(60) }, { restoreHoldDownSeconds: 600 });
    expect(moves(recovering).filter((m) => m[0] === 'rtb-b')).toEqual([]);
    const back = run(applyPlan(away, recovering), { now: at(60 + 601) }, { restoreHoldDownSeconds: 600 });
    expect(moves(back).filter((m) => m[0] === 'rtb-b')).toEqual([['rtb-b', '0.0.0.0/0', 'nat-c', 'nat-a']]);
  });

  it('does not re-home a table recorded away onto the gateway it was moved to', () => {
    const inv = withTable(shared([natGw('nat-c', 'us-east-1c')]), table('rtb-b', { subnetAzs: ['us-east-1b'], v4: 'nat-c', tags: failedOverTags({ homeNat: 'nat-a', since: -60 }) }));
    const p = run(inv);
    expect(p.tables.find((t) => t.routeTableId === 'rtb-b')).toMatchObject({ mode: 'failed-over', homeNat: 'nat-a' });
    expect(kinds(p, 'rtb-b')).not.toContain('external-change');
  });
});

describe('regional NAT gateways in the planner (item 8)', () => {
  it('moves the IPv4 default off a dead zonal gateway but leaves a NAT64 route on a regional one', () => {
    const inv: Inventory = {
      ...withNat(standardInventory(), 'nat-a', { state: 'failed' }),
      natGateways: [...withNat(standardInventory(), 'nat-a', { state: 'failed' }).natGateways, natGw('nat-r', undefined, { availabilityMode: 'regional' })],
      routeTables: [table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a', v6: 'nat-r' })],
    };
    const p = run(inv);
    expect(moves(p)).toEqual([['rtb-a', '0.0.0.0/0', 'nat-a', expect.stringMatching(/^nat-[bc]$/)]]);
  });
});
