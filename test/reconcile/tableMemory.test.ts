import fc from 'fast-check';
import { bucketOf } from '../../src/core/slices';
import type { RouteTable } from '../../src/core/types';
import { MAX_DISAGREEMENTS, type SliceRead, SLICING_OFF_MS, TableMemory } from '../../src/reconcile/tableMemory';

const table = (n: number, vpcId = 'vpc-1'): RouteTable => ({
  id: `rtb-${n.toString(16).padStart(17, '0')}`,
  vpcId,
  tags: { 'nat-failover': 'enabled' },
  subnetAzs: ['us-east-1a'],
  routes: [{ destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-a' }, state: 'active' }],
});
const tables = (count: number): RouteTable[] => Array.from({ length: count }, (_, i) => table(i));
const T0 = new Date('2026-11-29T12:00:10Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const sliceOf = (p: ReturnType<TableMemory['plan']>): SliceRead => {
  if (!('slice' in p)) throw new Error(p.full);
  return p;
};
const inBuckets = (ts: readonly RouteTable[], buckets: readonly number[]) => ts.filter((t) => buckets.includes(bucketOf(t.id) ?? -1));

describe('TableMemory.plan', () => {
  it('reads every table on a container\'s first run and after forget()', () => {
    const m = new TableMemory();
    expect(m.plan(T0, 250)).toEqual({ full: expect.stringMatching(/no tables remembered/) });
    m.remember(tables(1000), T0);
    expect(m.plan(at(1), 250)).toHaveProperty('slice');
    m.forget();
    expect(m.plan(at(2), 250)).toEqual({ full: expect.stringMatching(/no tables remembered/) });
  });

  it('reads every table while they fit in one run, or when slicing is off (0)', () => {
    const m = new TableMemory();
    m.remember(tables(250), T0);
    expect(m.plan(at(1), 250)).toEqual({ full: expect.stringMatching(/250 tables fit in one run/) });
    m.remember(tables(1000), T0);
    expect(m.plan(at(1), 0)).toHaveProperty('full');
  });

  it('slices 1,000 tables into quarters, each re-read every 4 minutes', () => {
    const m = new TableMemory();
    const all = tables(1000);
    m.remember(all, T0);
    const seen = new Set<string>();
    for (let i = 1; i <= 4; i++) {
      const p = m.plan(at(i), 250);
      if (!('slice' in p)) throw new Error(p.full);
      expect(p.rescanMinutes).toBe(4);
      expect(p.slice).toHaveLength(4);
      const read = inBuckets(all, p.slice);
      expect(read.length).toBeLessThanOrEqual(250);
      expect(m.merge(p, read, at(i))).toHaveProperty('tables');
      m.commit(p.slice, read, at(i));
      for (const t of read) seen.add(t.id);
    }
    expect(seen.size).toBe(1000);
  });

  it('reads everything when some bucket was last read more than 2k minutes ago (missed ticks)', () => {
    const m = new TableMemory();
    m.remember(tables(1000), T0);
    expect(m.plan(at(8), 250)).toHaveProperty('slice');
    expect(m.plan(at(9), 250)).toEqual({ full: expect.stringMatching(/last read 9 minutes ago/) });
  });

  it('reads everything when a remembered id ends in no hex digit (it would be in no slice)', () => {
    const m = new TableMemory();
    m.remember([...tables(999), { ...table(0), id: 'rtb-0000000000000000X' }], T0);
    expect(m.plan(at(1), 250)).toEqual({ full: expect.stringMatching(/does not end in a hex digit/) });
  });
});

describe('TableMemory.merge', () => {
  it('replaces the slice\'s tables with the read, keeps the rest, and adds new ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 1500 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 20 }), (count, minute, added) => {
        const m = new TableMemory();
        const all = tables(count);
        m.remember(all, T0);
        const p = m.plan(at(1 + (minute % 2)), 250);
        if (!('slice' in p)) throw new Error(p.full);
        const changed = inBuckets(all, p.slice).map((t) => ({ ...t, tags: { ...t.tags, changed: 'yes' } }));
        const fresh = inBuckets(tables(count + added).slice(count), p.slice);
        const merged = m.merge(p, [...changed, ...fresh], at(1));
        if (!('tables' in merged)) throw new Error(merged.full);
        const byId = new Map(merged.tables.map((t) => [t.id, t]));
        expect(byId.size).toBe(count + fresh.length);
        for (const t of all) expect(byId.get(t.id)?.tags.changed).toBe(p.slice.includes(bucketOf(t.id) ?? -1) ? 'yes' : undefined);
        for (const t of fresh) expect(byId.has(t.id)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('distrusts a slice read that misses a remembered table of the slice (deleted, un-tagged, or the filter not applied)', () => {
    const m = new TableMemory();
    const all = tables(1000);
    m.remember(all, T0);
    const p = sliceOf(m.plan(at(1), 250));
    const read = inBuckets(all, p.slice);
    expect(m.merge(p, read.slice(1), at(1))).toEqual({ full: expect.stringMatching(/1 remembered tables of the slice were not returned/) });
    // A server that treats the wildcard literally returns nothing at all.
    expect(m.merge(p, [], at(1))).toEqual({ full: expect.stringMatching(/not returned/) });
  });

  it('distrusts a slice read that returns a table outside the slice (a server that ignored the filter)', () => {
    const m = new TableMemory();
    const all = tables(1000);
    m.remember(all, T0);
    const p = sliceOf(m.plan(at(1), 250));
    expect(m.merge(p, all, at(1))).toEqual({ full: expect.stringMatching(/outside the slice/) });
  });

  it(`turns slicing off for an hour after ${MAX_DISAGREEMENTS} disagreeing slices in a row, and a good slice resets the count`, () => {
    const m = new TableMemory();
    const all = tables(1000);
    m.remember(all, T0);
    const disagree = (minute: number) => {
      const p = sliceOf(m.plan(at(minute), 250));
      expect(m.merge(p, [], at(minute))).toHaveProperty('full');
      m.remember(all, at(minute));
    };
    disagree(1);
    disagree(2);
    const p = sliceOf(m.plan(at(3), 250));
    const read = inBuckets(all, p.slice);
    expect(m.merge(p, read, at(3))).toHaveProperty('tables');
    m.commit(p.slice, read, at(3));
    for (let i = 0; i < MAX_DISAGREEMENTS - 1; i++) disagree(4 + i);
    expect(m.plan(at(4 + MAX_DISAGREEMENTS), 250)).toHaveProperty('slice');
    disagree(4 + MAX_DISAGREEMENTS);
    expect(m.plan(at(5 + MAX_DISAGREEMENTS), 250)).toEqual({ full: expect.stringMatching(/disagreed with full reads 3 times/) });
    m.remember(all, at(4 + MAX_DISAGREEMENTS + SLICING_OFF_MS / 60_000));
    expect(m.plan(at(5 + MAX_DISAGREEMENTS + SLICING_OFF_MS / 60_000), 250)).toHaveProperty('slice');
  });
});

describe('TableMemory.vpcIds', () => {
  it('names every remembered table\'s VPC, so a slice read still reads their gateways', () => {
    const m = new TableMemory();
    m.remember([table(1, 'vpc-b'), table(2, 'vpc-a'), table(3, 'vpc-b')], T0);
    expect(m.vpcIds()).toEqual(['vpc-a', 'vpc-b']);
  });
});

describe('TableMemory watched tables (one per route target no slice table routes to)', () => {
  /** `vpcs` VPCs x 3 AZs, `perGateway` tables on each AZ's gateway. */
  const fleet = (vpcs: number, perGateway: number): RouteTable[] =>
    Array.from({ length: vpcs * 3 * perGateway }, (_, i) => {
      const gw = Math.floor(i / perGateway);
      return { ...table(i, `vpc-${Math.floor(gw / 3)}`), routes: [{ destination: '0.0.0.0/0', target: { kind: 'nat' as const, id: `nat-${gw}` }, state: 'active' as const }] };
    });

  it('watches, for every gateway the slice does not cover, the remembered table with the lowest id routing to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 120 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 15 }), (vpcs, perGateway, minute) => {
        const all = fleet(vpcs, perGateway);
        const m = new TableMemory();
        m.remember(all, T0);
        const p = m.plan(at(1 + (minute % 4)), 250);
        if (!('slice' in p)) return expect(p.full).toMatch(/gateways have no table in the slice|fit in one run/);
        const inSlice = (t: RouteTable) => p.slice.includes(bucketOf(t.id) ?? -1);
        const gw = (t: RouteTable) => (t.routes[0]?.target.id ?? '') as string;
        const covered = new Set(all.filter(inSlice).map(gw));
        const expected = [...new Set(all.filter((t) => !covered.has(gw(t))).map(gw))].map((g) => all.filter((t) => gw(t) === g).map((t) => t.id).sort()[0]);
        expect([...p.ids].sort()).toEqual(expected.sort());
        expect(p.ids.length).toBeLessThanOrEqual(250);
      }),
      { numRuns: 60 },
    );
  });

  it('reads everything when more gateways than TABLES_READ_PER_RUN need watching (a table or two per gateway: watching is reading them all)', () => {
    const m = new TableMemory();
    m.remember(fleet(400, 1), T0);
    expect(m.plan(at(1), 250)).toEqual({ full: expect.stringMatching(/^\d+ gateways have no table in the slice \(more than TABLES_READ_PER_RUN 250/) });
    // Ten tables a gateway (1,200 tables, 120 gateways): quiet runs, a handful watched.
    m.remember(fleet(40, 10), T0);
    const p = m.plan(at(1), 250);
    expect(p).toHaveProperty('slice');
  });
});
